// Errors reworded on the way out: no doubled "MCP error" prefix, a validator's dump as one line.
import t from 'tap';
import { plainError } from '../../../server/modules/mcp/error-wording.js';

t.test('the prefix goes; other messages and codes stay', async (t) => {
  t.same(plainError({ code: -32602, message: 'MCP error -32602: Unknown tool "x".' }, 'tools/call'), {
    code: -32602,
    message: 'Unknown tool "x".',
  });
  const kept = { code: -32601, message: 'Method not found' };
  t.equal(plainError(kept, 'x/y'), kept, 'untouched errors are the same object');
  t.same(plainError({ code: -32000, message: 'MCP error -32602: not this code' }, undefined), {
    code: -32000,
    message: 'MCP error -32602: not this code',
  });
  t.same(plainError({ code: -32603, message: '[not json' }, 'initialize'), { code: -32603, message: '[not json' });
});

t.test('a validator dump becomes -32602 naming the fields, at most three', async (t) => {
  const issues = Array.from({ length: 5 }, (_, i) => ({
    code: 'invalid_type',
    path: ['params', `f${i}`],
    message: `Invalid input: expected string, received number`,
  }));
  const worded = plainError({ code: -32603, message: JSON.stringify(issues, null, 2), data: { x: 1 } }, 'initialize');
  t.same(worded, {
    code: -32602,
    message:
      'Invalid params for initialize: params.f0: expected string, received number; params.f1: expected string, received number; params.f2: expected string, received number (and 2 more).',
    data: { x: 1 },
  });
  t.notOk(worded.message.includes('\n'), 'one line');
});
