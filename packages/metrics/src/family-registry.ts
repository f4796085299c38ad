import { MetricsFamilyConflictError } from './errors.js';
import { type DeclaredFamily, exposedNames, metaJson, sameFamily } from './family-declaration.js';
import type { WriteOp } from './redis-writer.js';

/** prom-client's default process metrics, which every store publishes under these prefixes. */
const processPrefixes = /^(process|nodejs)_/;

function describe(family: DeclaredFamily): string {
  const labels = family.labelNames.length > 0 ? `labels ${family.labelNames.join(', ')}` : 'no labels';
  const extra =
    family.type === 'gauge'
      ? `, aggregate ${family.aggregate}${family.perProcess === false ? ', perProcess false' : ''}`
      : family.type === 'histogram'
        ? `, buckets ${family.buckets?.join(', ')}`
        : '';
  return `a ${family.type} with ${labels}${extra}, help ${JSON.stringify(family.help)}`;
}

/**
 * The families declared on one store: each name once, never one of the built-in families'
 * names, and their metadata written to Redis with the flushes that need it.
 */
export class FamilyRegistry<Handle = unknown> {
  private readonly declared = new Map<string, { family: DeclaredFamily; handle: Handle }>();
  /** Every exposed name taken by a declared family, and by which. */
  private readonly taken = new Map<string, string>();
  private metaDue = false;

  /** `builtIn`: every exposed name of the built-in families, and the family's name. */
  constructor(private readonly builtIn: ReadonlyMap<string, string>) {}

  get size(): number {
    return this.declared.size;
  }

  /**
   * The handle of `family`: a new one, or the one an identical declaration made before. Throws
   * when the name (or one of its exposed names) belongs to a built-in family or to another
   * declaration.
   */
  declare<H extends Handle>(family: DeclaredFamily, create: (family: DeclaredFamily) => H): H {
    const existing = this.declared.get(family.name);
    if (existing) {
      if (sameFamily(existing.family, family)) return existing.handle as H;
      throw new MetricsFamilyConflictError(
        `${family.name} is declared already, as ${describe(existing.family)}; it cannot be declared again as ${describe(family)}`,
      );
    }
    if (processPrefixes.test(family.name)) {
      throw new MetricsFamilyConflictError(
        `${family.name}: names starting process_ or nodejs_ belong to the process metrics every store publishes`,
      );
    }
    const names = exposedNames(family.name, family.type);
    for (const name of names) {
      const owner = this.builtIn.get(name) ?? this.taken.get(name);
      if (owner !== undefined) {
        const whose = this.builtIn.has(name) ? 'the built-in family' : 'the declared family';
        throw new MetricsFamilyConflictError(
          `${family.name} clashes with ${whose} ${owner} (both would be exposed as ${name}); choose another name`,
        );
      }
    }
    const handle = create(family);
    this.declared.set(family.name, { family, handle });
    for (const name of names) this.taken.set(name, family.name);
    this.metaDue = true;
    return handle;
  }

  handles(): Handle[] {
    return [...this.declared.values()].map((entry) => entry.handle);
  }

  /** Asks for the metadata to be written with the next flush (a Redis restart may have lost it). */
  markMetaDue(): void {
    if (this.declared.size > 0) this.metaDue = true;
  }

  get isMetaDue(): boolean {
    return this.metaDue;
  }

  /** The metadata writes, when due; the caller marks them due again if the write fails. */
  takeMetaOps(familiesKey: string): WriteOp[] {
    if (!this.metaDue) return [];
    this.metaDue = false;
    return [...this.declared.values()].map(({ family }) => ({
      key: familiesKey,
      field: family.name,
      op: 's',
      value: metaJson(family),
    }));
  }
}
