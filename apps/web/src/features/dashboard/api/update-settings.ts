import { type Aggregation, type ModelEvidence, type PanelPolicy, type PanelQuorum, ProjectSettings } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { projectsKey } from '../../../lib/query-keys';
import { aggregationKey } from './get-aggregation';
import { dashboardKey } from './get-dashboard';
import { modelEvidenceEffectKey } from './get-model-evidence-effect';

/** The settings an admin changes from the dashboard; those left out stay as they are. */
export interface SettingsChange {
  quorum?: PanelQuorum;
  panel?: PanelPolicy;
  modelEvidence?: ModelEvidence;
  goldRate?: number;
  goldQualification?: number;
  goldFeedback?: boolean;
  decoys?: number;
  aggregation?: Aggregation;
}

/**
 * Changes the project's settings (admins only). A quorum, panel or aggregation change re-aggregates every judged item,
 * a large project in the background; what experts see of the models changes no aggregate.
 */
export function updateSettings(projectId: number, change: SettingsChange): Promise<ProjectSettings> {
  return apiJson(`/api/projects/${projectId}/settings`, ProjectSettings, { method: 'PATCH', body: change });
}

export function useUpdateSettings(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: SettingsChange) => updateSettings(projectId, change),
    onSuccess: () =>
      Promise.all([
        // Every figure may move: agreed items can become disputed and the reverse.
        queryClient.invalidateQueries({ queryKey: dashboardKey(projectId), exact: true }),
        // The project's settings are in the project list.
        queryClient.invalidateQueries({ queryKey: projectsKey, exact: true }),
        queryClient.invalidateQueries({ queryKey: modelEvidenceEffectKey(projectId), exact: true }),
        queryClient.invalidateQueries({ queryKey: aggregationKey(projectId), exact: true }),
      ]),
  });
}
