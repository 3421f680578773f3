/**
 * Maps the few distinct strings a store sees (down reasons, `missing` maps as JSON) to small ids, so a row stores
 * 4 bytes instead of a string. Bounded: past `maxEntries` every new string maps to one overflow id, because input
 * replayed from files we do not control must not grow memory without limit.
 */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  constructor(
    private readonly overflow: string,
    private readonly maxEntries = 4096,
  ) {
    this.id(overflow);
  }

  id(text: string): number {
    const known = this.ids.get(text);
    if (known !== undefined) return known;
    if (this.strings.length >= this.maxEntries) return 0;
    this.ids.set(text, this.strings.length);
    return this.strings.push(text) - 1;
  }

  text(id: number): string {
    return this.strings[id] ?? this.overflow;
  }
}
