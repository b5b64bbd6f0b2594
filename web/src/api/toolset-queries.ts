// Hooks for toolsets: named subsets of a workspace's tools, each with its own URL. A key bound to
// one shows it in the keys table, so changes refetch both.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NewToolsetBody, ToolsetList, ToolsetView, UpdateToolsetBody } from '@latchkey/api';
import { api } from './client';
import { keys } from './queries';

export function useToolsets(id: string) {
  return useQuery({
    queryKey: keys.toolsets(id),
    queryFn: async () => (await api<ToolsetList>('GET', `/workspaces/${id}/toolsets`)).toolsets,
  });
}

function useToolsetMutation<V, R>(id: string, mutationFn: (variables: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: keys.toolsets(id) });
      void client.invalidateQueries({ queryKey: keys.accessKeys(id) });
    },
  });
}

const path = (id: string, toolsetId: string) => `/workspaces/${id}/toolsets/${encodeURIComponent(toolsetId)}`;

export function useCreateToolset(id: string) {
  return useToolsetMutation(id, (body: NewToolsetBody) => api<ToolsetView>('POST', `/workspaces/${id}/toolsets`, body));
}

export function useUpdateToolset(id: string) {
  return useToolsetMutation(id, ({ toolsetId, ...body }: UpdateToolsetBody & { toolsetId: string }) =>
    api<ToolsetView>('PATCH', path(id, toolsetId), body),
  );
}

export function useRotateToolsetUrl(id: string) {
  return useToolsetMutation(id, (toolsetId: string) => api<ToolsetView>('POST', `${path(id, toolsetId)}/rotate-url`));
}

export function useDeleteToolset(id: string) {
  return useToolsetMutation(id, (toolsetId: string) => api<void>('DELETE', path(id, toolsetId)));
}
