/**
 * Codes keepwatch no longer throws, each with what it meant. A published `KW_` code is matched on
 * by scripts and alerts, so it never comes back with another meaning: a class that stops using
 * one moves it here (like fastify's retired `FST_ERR_*` codes), and the error-code test
 * (`tooling/lint-rules/test/error-codes.test.ts`) fails when any class carries a code listed here.
 *
 * None is retired yet. An entry reads `KW_SOME_CODE: 'what it meant; retired in <issue or version>'`.
 */
export const retiredCodes: Readonly<Record<`KW_${string}`, string>> = Object.freeze({});
