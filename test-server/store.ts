// The test server's data: seeded, in memory, one store per server so tests never share state.
// Seeded values are deterministic (ids, names, prices, dates) so tests and the benchmark can
// name them, e.g. `widget-0010` / `itm_0010`.
import { randomBytes } from 'node:crypto';

export interface Item {
  id: string;
  name: string;
  /** Absent when the item was created without one. */
  price?: number;
  tags: string[];
  createdAt: string;
}

export interface NewItem {
  name: string;
  price?: number;
  tags?: string[];
}

export interface User {
  id: string;
  name: string;
  email: string;
}

export const SEEDED_ITEM_COUNT = 25;

const SEED_EPOCH = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;
const SEED_TAGS = ['hardware', 'tools', 'sale', 'new'];

const SEED_USERS: User[] = [
  { id: 'usr_001', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 'usr_002', name: 'Grace Hopper', email: 'grace@example.com' },
  { id: 'usr_003', name: 'Alan Turing', email: 'alan@example.com' },
  { id: 'usr_004', name: 'Katherine Johnson', email: 'katherine@example.com' },
];

function seedItems(): Map<string, Item> {
  const items = new Map<string, Item>();
  for (let n = 1; n <= SEEDED_ITEM_COUNT; n++) {
    const suffix = String(n).padStart(4, '0');
    const item: Item = {
      id: `itm_${suffix}`,
      name: `widget-${suffix}`,
      price: Math.round(n * 199.5) / 100,
      tags: [SEED_TAGS[n % SEED_TAGS.length]],
      createdAt: new Date(SEED_EPOCH + n * DAY_MS).toISOString(),
    };
    items.set(item.id, item);
  }
  return items;
}

export interface ItemQuery {
  limit: number;
  /** Case-insensitive substring of the name. */
  q?: string;
}

export class Store {
  // A Map keeps insertion order, which is the listing order: seeded items first, then new ones.
  private readonly items = seedItems();
  private readonly users = SEED_USERS.map((user) => ({ ...user }));

  listItems(query: ItemQuery): { items: Item[]; total: number } {
    const needle = query.q?.toLowerCase();
    const matching: Item[] = [];
    for (const item of this.items.values()) {
      if (needle === undefined || item.name.toLowerCase().includes(needle)) matching.push(item);
    }
    return { items: matching.slice(0, query.limit), total: matching.length };
  }

  getItem(id: string): Item | undefined {
    return this.items.get(id);
  }

  createItem(input: NewItem): Item {
    const item: Item = {
      id: `itm_${randomBytes(8).toString('hex')}`,
      name: input.name,
      ...(input.price === undefined ? {} : { price: input.price }),
      tags: input.tags ? [...input.tags] : [],
      createdAt: new Date().toISOString(),
    };
    this.items.set(item.id, item);
    return item;
  }

  /** False when there was no such item. */
  deleteItem(id: string): boolean {
    return this.items.delete(id);
  }

  listUsers(): { users: User[]; total: number } {
    return { users: this.users, total: this.users.length };
  }
}
