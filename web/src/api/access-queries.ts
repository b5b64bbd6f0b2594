// Hooks for who may call a workspace (access keys), its environments, and connecting OAuth.
// A created key is handed to the caller once and kept nowhere: the list is refetched, the
// mutation is dropped from the cache as soon as it settles (gcTime 0), and nothing is persisted.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  AccessKeyList,
  AccessKeyView,
  EnvironmentList,
  EnvironmentView,
  KeySchemaProfile,
  KeyToolMode,
  NewAccessKeyBody,
  NewEnvironmentBody,
  OAuthStartView,
} from '@latchkey/api';
import { api } from './client';
import { keys } from './queries';

export function useEnvironments(id: string) {
  return useQuery({
    queryKey: keys.environments(id),
    queryFn: async () => (await api<EnvironmentList>('GET', `/workspaces/${id}/environments`)).environments,
  });
}

/** Adding or removing an environment changes the workspace's `mcpUrls`, and removing one drops its keys. */
function useEnvironmentMutation<V, R>(id: string, mutationFn: (variables: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: keys.workspaces, exact: true });
      void client.invalidateQueries({ queryKey: keys.environments(id) });
      void client.invalidateQueries({ queryKey: keys.accessKeys(id) });
    },
  });
}

export function useAddEnvironment(id: string) {
  return useEnvironmentMutation(id, (body: NewEnvironmentBody) => api<EnvironmentView>('POST', `/workspaces/${id}/environments`, body));
}

export function useUpdateEnvironment(id: string) {
  return useEnvironmentMutation(id, ({ name, baseUrl }: { name: string; baseUrl: string | null }) =>
    api<EnvironmentView>('PATCH', `/workspaces/${id}/environments/${name}`, { baseUrl }),
  );
}

export function useDeleteEnvironment(id: string) {
  const client = useQueryClient();
  return useEnvironmentMutation(id, async (name: string) => {
    await api<void>('DELETE', `/workspaces/${id}/environments/${name}`);
    client.removeQueries({ queryKey: keys.auth(id, name) });
  });
}

export function useAccessKeys(id: string) {
  return useQuery({ queryKey: keys.accessKeys(id), queryFn: async () => (await api<AccessKeyList>('GET', `/workspaces/${id}/keys`)).keys });
}

export function useCreateAccessKey(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAccessKeyBody) => api<AccessKeyView>('POST', `/workspaces/${id}/keys`, body),
    gcTime: 0,
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.accessKeys(id) }),
  });
}

export function useRevokeAccessKey(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => api<void>('DELETE', `/workspaces/${id}/keys/${encodeURIComponent(keyId)}`),
    onSuccess: (_void, keyId) => client.setQueryData<AccessKeyView[]>(keys.accessKeys(id), (list) => list?.filter((k) => k.id !== keyId)),
    onSettled: () => void client.invalidateQueries({ queryKey: keys.accessKeys(id) }),
  });
}

/** A key's own schema profile and tool mode; null: the workspace's choice. */
export function useSetKeyChoices(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ keyId, ...choices }: { keyId: string; schemaProfile?: KeySchemaProfile | null; toolMode?: KeyToolMode | null }) =>
      api<AccessKeyView>('PATCH', `/workspaces/${id}/keys/${encodeURIComponent(keyId)}`, choices),
    onSuccess: (updated) =>
      client.setQueryData<AccessKeyView[]>(keys.accessKeys(id), (list) => list?.map((k) => (k.id === updated.id ? updated : k))),
  });
}

/** Asks for the provider's authorize URL and sends the browser there; it comes back to Configure. */
export function useStartOAuth(id: string, environment: string) {
  return useMutation({
    mutationFn: () =>
      api<OAuthStartView>('POST', `/workspaces/${id}/oauth/start${environment === 'live' ? '' : `?environment=${environment}`}`),
    onSuccess: ({ authorizeUrl }) => window.location.assign(authorizeUrl),
  });
}
