// The admin token goes to POST /api/session once and is dropped: the session lives in an
// httpOnly cookie the page cannot read, and the field is cleared whatever the answer.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useSignIn } from '../api/queries';
import { Logo } from '../ui/logo';
import { FormError } from '../ui/states';

function signInError(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 429)
    return new Error(`Too many wrong tokens. Try again in ${error.retryAfterSeconds ?? 'a few'} seconds.`);
  if (error instanceof ApiError && error.status === 401)
    return new Error('That is not the admin token. Check the token printed when the gateway first started, or LATCHKEY_ADMIN_TOKEN.');
  return error;
}

export function SignInPage() {
  const signIn = useSignIn();
  const [token, setToken] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = token.trim();
    setToken('');
    if (value) signIn.mutate(value);
  }

  return (
    <main className="sign-in">
      <article className="sign-in-card">
        <header>
          <Logo />
        </header>
        <h1>Sign in to the console</h1>
        <p className="muted">Use the admin token printed when the gateway first started (or the one set in LATCHKEY_ADMIN_TOKEN).</p>
        <form onSubmit={submit}>
          <label>
            Admin token
            <input
              type="password"
              name="token"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              required
              autoFocus
              aria-invalid={signIn.isError ? true : undefined}
            />
          </label>
          <FormError error={signIn.isError ? signInError(signIn.error) : undefined} />
          <button type="submit" aria-busy={signIn.isPending} disabled={signIn.isPending}>
            Sign in
          </button>
        </form>
      </article>
    </main>
  );
}
