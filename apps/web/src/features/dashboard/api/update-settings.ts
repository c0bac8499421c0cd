import { type PanelQuorum, ProjectSettings } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { dashboardKey } from './get-dashboard';

/** Changes the project's quorum; the server re-aggregates every judged item with it, a large project in the background (admins only). */
export function updateSettings(projectId: number, quorum: PanelQuorum): Promise<ProjectSettings> {
  return apiJson(`/api/projects/${projectId}/settings`, ProjectSettings, { method: 'PATCH', body: { quorum } });
}

export function useUpdateSettings(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (quorum: PanelQuorum) => updateSettings(projectId, quorum),
    // Every figure may move: agreed items can become disputed and the reverse.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dashboardKey(projectId), exact: true }),
  });
}
