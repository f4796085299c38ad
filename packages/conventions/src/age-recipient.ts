/**
 * One age recipient: an `age1…` or `ssh-ed25519`/`ssh-rsa` public key. `[backup] encrypt_to` is
 * checked against it, and backup's `encryptTo` option again.
 */
export const AGE_RECIPIENT_PATTERN = /^(age1[0-9a-z]{20,}|ssh-(ed25519|rsa) [A-Za-z0-9+/=]+( .*)?)$/;
