// Ranked full-text search over one view's tools, for `search_tools` in dynamic mode. MiniSearch
// (BM25 with prefix and fuzzy matching) does the ranking; this module decides what is indexed and
// how words are made comparable: names split at `_`, `-`, `/` and camelCase, a light plural fold
// on both sides, and the little words of a question dropped, so "create an issue comment" meets
// `issues/create-comment` ("Create an issue comment").
import MiniSearch from 'minisearch';

export interface SearchableTool {
  /** The name the client calls. */
  name: string;
  title?: string;
  summary?: string;
  description: string;
  tags: string[];
  method: string;
  path: string;
}

export interface SearchHit {
  name: string;
  /** One line: the title, the summary, or the description's first sentence. */
  summary: string;
}

export interface ToolIndex {
  search(query: string, limit: number): SearchHit[];
}

/** The tags tools carry, most used first: named to steer a search, and when one finds nothing. */
export function topTags(tools: readonly Pick<SearchableTool, 'tags'>[], count: number): string[] {
  const counts = new Map<string, number>();
  for (const tool of tools) for (const tag of tool.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([tag]) => tag);
}

const STOP_WORDS = new Set(
  'a an and are as at be by can do does for from how i in into is it me my of on or please show that the this to use using via want what which with would you'.split(
    ' ',
  ),
);

/** Words of a name or a sentence: `listRepoIssues` and `list_repo-issues` alike give list, repo, issues. */
function tokenize(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * Lower case, stop words dropped, plurals folded: `issues` and `issue`, `repositories` and
 * `repository`, `branches` and `branch` meet. The same fold on both sides, so a crude one does.
 */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (STOP_WORDS.has(lower)) return null;
  if (lower.length > 4 && lower.endsWith('ies')) return `${lower.slice(0, -3)}y`;
  if (lower.length > 4 && /(ss|x|ch|sh)es$/.test(lower)) return lower.slice(0, -2);
  if (lower.length > 3 && lower.endsWith('s') && !/(ss|us|is)$/.test(lower)) return lower.slice(0, -1);
  return lower;
}

/** The description's first sentence or line, at most this long, when neither title nor summary says it. */
const SUMMARY_CHARS = 160;
/** Descriptions are indexed this far: the first paragraphs say what a tool does; the rest is detail. */
const DESCRIPTION_CHARS = 600;

export function oneLine(tool: Pick<SearchableTool, 'title' | 'summary' | 'description'>): string {
  const text = (tool.title || tool.summary || tool.description.split(/(?<=\.)\s|\n/)[0] || '').replace(/\s+/g, ' ').trim();
  return text.length <= SUMMARY_CHARS ? text : `${text.slice(0, SUMMARY_CHARS - 1).trimEnd()}…`;
}

/** How many of the search's best are ranked again, and what each word a tool has beyond the query costs it there. */
const RERANK = 40;
const EXTRA_WORD_COST = 0.12;

function terms(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of tokenize(text)) {
    const term = processTerm(word);
    if (term) out.add(term);
  }
  return out;
}

interface IndexedTool {
  id: number;
  name: string;
  label: string;
  tags: string;
  path: string;
  description: string;
}

export function buildToolIndex(tools: readonly SearchableTool[]): ToolIndex {
  const search = new MiniSearch<IndexedTool>({
    fields: ['name', 'label', 'tags', 'path', 'description'],
    tokenize,
    processTerm,
    searchOptions: {
      // What a tool is called and its one-line summary say most; its tags and path place it; the
      // description backs them up.
      boost: { name: 3, label: 3, tags: 1.5, path: 1.5, description: 1 },
      prefix: (term) => term.length >= 3,
      // One typo in a longer word: wider fuzzy matching cost tens of ms on GitHub's 1,200 tools.
      fuzzy: (term) => (term.length >= 6 ? 1 : false),
      weights: { prefix: 0.4, fuzzy: 0.3 },
      combineWith: 'OR',
    },
  });
  const hits: SearchHit[] = [];
  /** Each tool's own words (name, title, summary), processed: for the re-rank below. */
  const ownWords: Set<string>[] = [];
  search.addAll(
    tools.map((tool, id) => {
      hits.push({ name: tool.name, summary: oneLine(tool) });
      const label = [tool.title, tool.summary].filter((s, i, all) => s && all.indexOf(s) === i).join(' ');
      ownWords.push(terms(`${tool.name} ${label}`));
      return {
        id,
        name: tool.name,
        label,
        tags: tool.tags.join(' '),
        path: `${tool.method} ${tool.path}`,
        description: tool.description.slice(0, DESCRIPTION_CHARS),
      };
    }),
  );
  return {
    search(query, limit) {
      const words = tokenize(query).filter((word) => processTerm(word) !== null);
      // A question of stop words only ("what can you do") matches nothing rather than everything.
      if (words.length === 0) return [];
      const wanted = terms(words.join(' '));
      // BM25 ranks a long name that mentions every word about as high as the short one that is
      // nothing but them ("fork a repo": `repos/create-fork`, not a setting about forks of
      // private repos). The best candidates are ranked again: the share of the query a tool's own
      // words hold exactly, then how few words it has besides.
      return search
        .search(words.join(' '))
        .slice(0, RERANK)
        .map((result) => {
          const own = ownWords[result.id as number];
          let exact = 0;
          for (const word of wanted) if (own.has(word)) exact++;
          const extra = Math.max(0, own.size - exact);
          return { id: result.id as number, score: (result.score * (1 + exact / wanted.size)) / (1 + EXTRA_WORD_COST * extra) };
        })
        .sort((a, b) => b.score - a.score)
        .slice(0, limit)
        .map(({ id }) => hits[id]);
    },
  };
}
