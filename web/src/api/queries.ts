// TanStack Query hooks, one per admin API resource. Mutations update or invalidate what they
// change, so every tab shows the same state without reloading.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type {
  AuthInput,
  AuthView,
  LogPage,
  LogQuery,
  SessionView,
  SpecSummary,
  SpecUploadBody,
  ToolList,
  ToolModeReport,
  ToolView,
  UpdateWorkspaceBody,
  WorkspaceList,
  WorkspaceView,
} from '@latchkey/api';
import { api, setCsrfToken } from './client';

export const keys = {
  session: ['session'] as const,
  workspaces: ['workspaces'] as const,
  spec: (id: string) => ['workspaces', id, 'spec'] as const,
  tools: (id: string) => ['workspaces', id, 'tools'] as const,
  toolMode: (id: string, version: string, enabled: number) => ['workspaces', id, 'tool-mode', version, enabled] as const,
  auth: (id: string, environment = 'live') => ['workspaces', id, 'auth', environment] as const,
  environments: (id: string) => ['workspaces', id, 'environments'] as const,
  accessKeys: (id: string) => ['workspaces', id, 'keys'] as const,
  toolsets: (id: string) => ['workspaces', id, 'toolsets'] as const,
  logs: (id: string, q: LogQuery) => ['workspaces', id, 'logs', q] as const,
};

function rememberSession(session: SessionView): SessionView {
  setCsrfToken(session.csrfToken);
  return session;
}

export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: async () => rememberSession(await api<SessionView>('GET', '/session')),
    staleTime: Infinity,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (token: string) => rememberSession(await api<SessionView>('POST', '/session', { token })),
    onSuccess: (session) => client.setQueryData(keys.session, session),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<SessionView>('DELETE', '/session'),
    onSettled: () => signedOut(client),
  });
}

/** Forgets everything the console held: after sign-out or an expired session. */
export function signedOut(client: QueryClient) {
  setCsrfToken(undefined);
  client.removeQueries({ queryKey: keys.workspaces });
  client.setQueryData(keys.session, { signedIn: false } satisfies SessionView);
}

export function useWorkspaces() {
  return useQuery({ queryKey: keys.workspaces, queryFn: async () => (await api<WorkspaceList>('GET', '/workspaces')).workspaces });
}

function replaceWorkspace(client: QueryClient, updated: WorkspaceView) {
  client.setQueryData<WorkspaceView[]>(keys.workspaces, (list) => list?.map((w) => (w.id === updated.id ? updated : w)));
}

export function useCreateWorkspace() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<WorkspaceView>('POST', '/workspaces', { name }),
    onSuccess: (created) => client.setQueryData<WorkspaceView[]>(keys.workspaces, (list) => [...(list ?? []), created]),
  });
}

export function useUpdateWorkspace(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateWorkspaceBody) => api<WorkspaceView>('PATCH', `/workspaces/${id}`, body),
    onSuccess: (updated, body) => {
      replaceWorkspace(client, updated);
      // A new name budget may have renamed tools.
      if (body.toolNameBudget !== undefined) void client.invalidateQueries({ queryKey: keys.tools(id) });
    },
  });
}

export function useDeleteWorkspace() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/workspaces/${id}`),
    onSuccess: (_void, id) => {
      client.setQueryData<WorkspaceView[]>(keys.workspaces, (list) => list?.filter((w) => w.id !== id));
      client.removeQueries({ queryKey: ['workspaces', id] });
    },
  });
}

export function useRotateUrl(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<WorkspaceView>('POST', `/workspaces/${id}/rotate-url`),
    onSuccess: (updated) => replaceWorkspace(client, updated),
  });
}

/** A workspace has a spec exactly when it has tools: an import that yields none is refused. */
export function useSpec(workspace: WorkspaceView) {
  return useQuery({
    queryKey: keys.spec(workspace.id),
    queryFn: () => api<SpecSummary>('GET', `/workspaces/${workspace.id}/spec`),
    enabled: workspace.toolCount > 0,
  });
}

export type SpecSource = { kind: 'file'; file: File } | { kind: 'json'; body: SpecUploadBody };

export function useUploadSpec(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (source: SpecSource) => {
      if (source.kind === 'json') return api<SpecSummary>('POST', `/workspaces/${id}/spec`, source.body);
      const form = new FormData();
      form.append('file', source.file);
      return api<SpecSummary>('POST', `/workspaces/${id}/spec`, form);
    },
    onSuccess: (summary) => {
      client.setQueryData(keys.spec(id), summary);
      void client.invalidateQueries({ queryKey: keys.tools(id) });
      void client.invalidateQueries({ queryKey: keys.workspaces, exact: true });
    },
  });
}

/** Keyed by the workspace's version and enabled-tool count: a change to either is measured again. */
export function useToolMode(id: string, version: string, enabled: number) {
  return useQuery({
    queryKey: keys.toolMode(id, version, enabled),
    queryFn: () => api<ToolModeReport>('GET', `/workspaces/${id}/tool-mode`),
  });
}

export function useTools(id: string) {
  return useQuery({ queryKey: keys.tools(id), queryFn: async () => (await api<ToolList>('GET', `/workspaces/${id}/tools`)).tools });
}

/** Optimistic: switches move at once and move back if the server refuses. */
export function useToggleTools(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (toggles: Record<string, boolean>) =>
      (await api<ToolList>('PATCH', `/workspaces/${id}/tools`, { tools: toggles })).tools,
    onMutate: async (toggles) => {
      const before = client.getQueryData<ToolView[]>(keys.tools(id));
      const toggled = (tools: ToolView[] | undefined) => tools?.map((t) => (t.name in toggles ? { ...t, enabled: toggles[t.name] } : t));
      // Shown at once: a controlled switch would otherwise flip back until the next render.
      client.setQueryData<ToolView[]>(keys.tools(id), toggled);
      // A refetch in flight must not overwrite it; cancelling one restores the data it started
      // from, so the toggles are applied again after.
      await client.cancelQueries({ queryKey: keys.tools(id) });
      client.setQueryData<ToolView[]>(keys.tools(id), toggled);
      return { before };
    },
    onError: (_error, _toggles, context) => client.setQueryData(keys.tools(id), context?.before),
    onSuccess: (tools) => client.setQueryData(keys.tools(id), tools),
    onSettled: () => void client.invalidateQueries({ queryKey: keys.workspaces, exact: true }),
  });
}

/** Auth endpoints take `?environment=`; live is the default. */
const authPath = (id: string, environment: string) =>
  `/workspaces/${id}/auth${environment === 'live' ? '' : `?environment=${environment}`}`;

export function useAuth(id: string, environment = 'live') {
  return useQuery({
    queryKey: keys.auth(id, environment),
    queryFn: () => api<AuthView>('GET', authPath(id, environment)),
    // An OAuth connection's health changes with every call: keep it current while it is shown.
    refetchInterval: (query) => (query.state.data?.type === 'oauth2' ? 15_000 : false),
  });
}

export function useSaveAuth(id: string, environment = 'live') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: AuthInput) => api<AuthView>('PUT', authPath(id, environment), input),
    onSuccess: (view) => client.setQueryData(keys.auth(id, environment), view),
  });
}

export function useDeleteAuth(id: string, environment = 'live') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<AuthView>('DELETE', authPath(id, environment)),
    onSuccess: (view) => client.setQueryData(keys.auth(id, environment), view),
  });
}

/** After the API's address changed, the admin lets the held-back credentials go to the new origin. */
export function useConfirmCredentials(id: string, environment = 'live') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<AuthView>('POST', `/workspaces/${id}/auth/confirm?environment=${encodeURIComponent(environment)}`),
    onSuccess: (view) => client.setQueryData(keys.auth(id, environment), view),
  });
}

export function useLogs(id: string, query: LogQuery, refreshMs: number | false) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  return useQuery({
    queryKey: keys.logs(id, query),
    queryFn: () => api<LogPage>('GET', `/workspaces/${id}/logs?${params}`),
    refetchInterval: refreshMs,
    placeholderData: (previous) => previous,
  });
}
