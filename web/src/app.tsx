import { useEffect, useState } from 'react';
import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { ApiError, whenSignedOut } from './api/client';
import { signedOut, useSession } from './api/queries';
import { ConsolePage } from './workspaces/console-page';
import { SignInPage } from './session/sign-in-page';
import { ErrorState, Loading } from './ui/states';

function createClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx will not fix itself; network trouble might.
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
        staleTime: 5_000,
      },
    },
  });
}

function Root() {
  const client = useQueryClient();
  const session = useSession();
  useEffect(() => whenSignedOut(() => signedOut(client)), [client]);
  if (session.isPending) return <Loading label="Opening the console…" />;
  if (session.isError)
    return (
      <main className="container narrow-page">
        <ErrorState title="The gateway did not answer" error={session.error} onRetry={() => void session.refetch()} />
      </main>
    );
  return session.data.signedIn ? <ConsolePage /> : <SignInPage />;
}

export function App() {
  const [client] = useState(createClient);
  return (
    <QueryClientProvider client={client}>
      <Root />
    </QueryClientProvider>
  );
}
