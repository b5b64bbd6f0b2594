// Which parameters saved credentials fill in, and the tool definition without them.
import t from 'tap';
import { suppliedByCredentials, withoutSuppliedParameters } from '../../../server/modules/mcp/credential-parameters.js';
import type { ParamBinding, ToolDefinition } from '../../../server/modules/specs/types.js';

const param = (name: string, where: ParamBinding['in'], arg = name): ParamBinding => ({
  arg,
  name,
  in: where,
  required: true,
  style: 'form',
  explode: true,
  allowReserved: false,
  shape: 'primitive',
});

t.test('what each kind of credentials supplies', async (t) => {
  const auth = param('Authorization', 'header');
  const key = param('api_key', 'query');
  const cookie = param('session', 'cookie');
  t.ok(suppliedByCredentials({ type: 'bearer', token: 'x' }, false)(auth), 'bearer: Authorization');
  t.ok(
    suppliedByCredentials({ type: 'basic', username: 'u', password: 'p' }, false)(param('authorization', 'header')),
    'header names without case',
  );
  t.ok(suppliedByCredentials({ type: 'none' }, true)(auth), 'an OAuth token is a bearer token');
  t.notOk(suppliedByCredentials({ type: 'none' }, false)(auth), 'nothing saved, nothing supplied');
  t.ok(suppliedByCredentials({ type: 'api_key', in: 'query', name: 'api_key', value: 'v' }, false)(key));
  t.notOk(suppliedByCredentials({ type: 'api_key', in: 'header', name: 'api_key', value: 'v' }, false)(key), 'the location must match too');
  t.notOk(suppliedByCredentials({ type: 'api_key', in: 'query', name: 'API_KEY', value: 'v' }, false)(key), 'query names keep their case');
  t.ok(suppliedByCredentials({ type: 'api_key', in: 'cookie', name: 'session', value: 'v' }, false)(cookie));
  t.ok(suppliedByCredentials({ type: 'headers', headers: { 'X-Team': 't' } }, false)(param('x-team', 'header')));
});

t.test('the definition without them: params, properties and required alike; untouched when none apply', async (t) => {
  const definition = {
    name: 'x',
    params: [param('token', 'query', 'token'), param('q', 'query')],
    inputSchema: {
      type: 'object',
      properties: { token: { type: 'string' }, q: { type: 'string' } },
      required: ['token', 'q'],
      additionalProperties: false,
    },
  } as unknown as ToolDefinition;
  const supplied = suppliedByCredentials({ type: 'api_key', in: 'query', name: 'token', value: 'v' }, false);
  const without = withoutSuppliedParameters(definition, supplied);
  t.same(
    without.params.map((p) => p.name),
    ['q'],
  );
  t.same(without.inputSchema, { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false });
  t.same(definition.inputSchema.required, ['token', 'q'], 'the stored definition is not changed');
  t.equal(
    withoutSuppliedParameters(definition, () => false),
    definition,
    'the same object when nothing is supplied',
  );
});
