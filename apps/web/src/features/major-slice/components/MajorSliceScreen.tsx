import type { MajorSlice, ProjectSummary } from '@bagel/contracts';
import { type ReactNode, useState } from 'react';
import { AppHeader } from '../../../components/AppHeader';
import { errorMessage } from '../../../lib/api-client';
import { useMajorSlice } from '../api/get-major-slice';

interface MajorSliceScreenProps {
  project: ProjectSummary;
  userMenu: ReactNode;
  navigation?: ReactNode;
  onChangeProject?: () => void;
  /** Opens an item on the lead's desk. */
  onOpenItem?: (itemId: number) => void;
}

/**
 * The Major slice (how ImageNet-M is built): the images on which every chosen model's top-1 is a Major mistake under
 * the final labels, with their original label, the final correct labels and each model's prediction.
 */
export function MajorSliceScreen({ project, userMenu, navigation, onChangeProject, onOpenItem }: MajorSliceScreenProps) {
  const [chosen, setChosen] = useState<string[]>(() => project.models.map((m) => m.name));
  // Keep the project's order whatever the order of the clicks.
  const models = project.models.map((m) => m.name).filter((name) => chosen.includes(name));
  const slice = useMajorSlice(project.id, models);
  const displayNames = new Map(project.models.map((m) => [m.name, m.displayName]));

  const toggle = (name: string, on: boolean) => setChosen((current) => (on ? [...current, name] : current.filter((n) => n !== name)));

  return (
    <div className="page-app">
      <AppHeader projectName={project.name} onChangeProject={onChangeProject} navigation={navigation} userMenu={userMenu} />
      {project.models.some((m) => m.illustrative) ? (
        <div className="banner" role="note">
          Demo data: predictions are illustrative, no model was run on these images.
        </div>
      ) : null}
      <main className="page major-slice" data-testid="major-slice">
        <section className="card slice-controls" aria-labelledby="slice-models-title">
          <div className="card-head">
            <h2 id="slice-models-title">Models</h2>
            <span className="muted">an image is in the slice when every chosen model’s top-1 is a Major mistake</span>
          </div>
          <fieldset className="model-choices">
            <legend className="visually-hidden">Models that must all make a Major mistake</legend>
            {project.models.map((model) => (
              <label key={model.name} className="check">
                <input type="checkbox" checked={chosen.includes(model.name)} onChange={(event) => toggle(model.name, event.target.checked)} />
                {model.displayName}
                {model.illustrative && !/illustrative/i.test(model.displayName) ? <span className="tag">illustrative</span> : null}
              </label>
            ))}
          </fieldset>
        </section>
        {models.length === 0 ? (
          <p className="centered-message muted" data-testid="slice-no-model">
            Choose at least one model.
          </p>
        ) : slice.isError ? (
          <p className="error" role="alert">
            {errorMessage(slice.error)}
          </p>
        ) : !slice.data ? (
          <p className="loading">Loading the slice…</p>
        ) : (
          <SliceGrid slice={slice.data} displayNames={displayNames} onOpenItem={onOpenItem} />
        )}
      </main>
    </div>
  );
}

function SliceGrid({ slice, displayNames, onOpenItem }: { slice: MajorSlice; displayNames: ReadonlyMap<string, string>; onOpenItem?: (itemId: number) => void }) {
  return (
    <section aria-labelledby="slice-images-title">
      <div className="section-head">
        <h2 id="slice-images-title">
          {slice.images.length} image{slice.images.length === 1 ? '' : 's'} in the slice
        </h2>
      </div>
      {slice.images.length === 0 ? (
        <p className="centered-message muted" data-testid="slice-empty">
          No image yet: no final label makes every chosen model’s top-1 a Major mistake.
        </p>
      ) : (
        <ul className="slice-grid">
          {slice.images.map((image) => (
            <li key={image.itemId} className="slice-card" data-testid="slice-image" data-item-id={image.itemId}>
              <img className="slice-thumb" src={`${image.previewUrl}?width=384`} alt={`${image.file}, labelled ${image.originalLabel.name}`} loading="lazy" />
              <div className="slice-text">
                <div className="slice-file">{image.file}</div>
                <div>
                  <span className="eyebrow">Original</span> {image.originalLabel.name}
                </div>
                <div>
                  <span className="eyebrow">Final correct</span>{' '}
                  {image.finalCorrect.length === 0 ? (
                    <em className="muted">none</em>
                  ) : (
                    image.finalCorrect.map((c) => (
                      <span key={c.key} className="badge badge-correct" title={c.key}>
                        {c.name}
                      </span>
                    ))
                  )}
                </div>
                <ul className="slice-predictions">
                  {image.predictions.map((p) => (
                    <li key={p.model}>
                      <span className="slice-model">{displayNames.get(p.model) ?? p.model}</span> <strong>{p.name}</strong>
                      {p.category ? <span className="muted"> · {p.category}</span> : null}
                    </li>
                  ))}
                </ul>
                {onOpenItem ? (
                  <button type="button" className="link-button" onClick={() => onOpenItem(image.itemId)} aria-label={`Open item ${image.itemId} on the desk`}>
                    open on the desk
                  </button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
