// server/routes/api/types.ts (what the console compiles against) must name exactly the fields the
// response schemas in schemas.ts serialise. Checked by the compiler (`npm run check`): a field
// added to one and not the other makes a line below fail to typecheck.
import t from 'tap';
import type * as Schemas from '../../server/routes/api/schemas.js';
import type * as Types from '../../server/routes/api/types.js';
import type { OAuthHealthReport } from '../../server/modules/credentials/oauth-connection.js';

type SchemaKeys<S> = S extends { properties: infer P } ? keyof P : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Same<keyof Types.WorkspaceView, SchemaKeys<typeof Schemas.WorkspaceView>>>,
  Expect<Same<keyof Types.SpecSummary, SchemaKeys<typeof Schemas.SpecSummary>>>,
  Expect<Same<keyof Types.ToolView, SchemaKeys<typeof Schemas.ToolView>>>,
  Expect<Same<keyof Types.AuthView, SchemaKeys<typeof Schemas.AuthView>>>,
  Expect<Same<keyof Types.LogItem, SchemaKeys<typeof Schemas.LogItem>>>,
  Expect<Same<keyof Types.EnvironmentView, SchemaKeys<typeof Schemas.EnvironmentView>>>,
  Expect<Same<keyof Types.AccessKeyView, SchemaKeys<typeof Schemas.AccessKeyView>>>,
  Expect<Same<keyof Types.ErrorBody['error'], SchemaKeys<(typeof Schemas.ErrorBody)['properties']['error']>>>,
  // The console's copy of the OAuth health shape (types.ts imports no server code) stays the module's.
  Expect<Same<Types.OAuthHealthView, OAuthHealthReport>>,
  Expect<Same<keyof Types.OAuthHealthView, SchemaKeys<(typeof Schemas.AuthView)['properties']['health']>>>,
];

t.pass('the shared API types match the response schemas (checked at compile time)');
