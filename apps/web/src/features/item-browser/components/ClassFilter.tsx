import { displayName } from '@bagel/core';
import { useId, useMemo, useState } from 'react';
import { Combobox } from '../../../components/Combobox';
import { errorMessage } from '../../../lib/api-client';
import { useVocabulary } from '../../../lib/vocabulary';

const RESULT_LIMIT = 30;

interface ClassFilterProps {
  projectId: number;
  /** The chosen class key, if any. */
  value: string | undefined;
  onChange(key: string | undefined): void;
}

/**
 * The class filter: a button naming the chosen class that opens a search over the whole vocabulary (names,
 * synonyms, keys, definitions, searched in the browser as one types), and a button to clear it.
 */
export function ClassFilter({ projectId, value, onChange }: ClassFilterProps) {
  const classes = useVocabulary(projectId);
  const [open, setOpen] = useState(false);
  const id = useId();
  const [query, setQuery] = useState('');
  const chosen = value === undefined ? undefined : classes.data?.vocabulary.byKey(value);
  const searched = classes.data?.search;
  const results = useMemo(() => (open ? (searched?.search(query, RESULT_LIMIT) ?? []) : []), [open, searched, query]);

  const close = () => {
    setOpen(false);
    setQuery('');
  };
  const emptyText = classes.isError
    ? `The vocabulary could not be loaded: ${errorMessage(classes.error)}`
    : !classes.data
      ? 'Loading the vocabulary…'
      : query.trim()
        ? `No class matches “${query.trim()}”.`
        : 'Type a name, synonym, class key or words of the definition.';

  return (
    <div className="ib-field ib-class-filter">
      <span className="ib-field-label" id={`${id}-label`}>
        Class
      </span>
      <div className="ib-class-buttons">
        <button
          type="button"
          className="ib-select-like"
          aria-labelledby={`${id}-label ${id}-value`}
          aria-haspopup="dialog"
          aria-expanded={open}
          onClick={() => setOpen(true)}
          data-testid="class-filter"
        >
          <span id={`${id}-value`} className={value === undefined ? 'muted' : undefined} title={value}>
            {value === undefined ? 'Any class' : chosen ? displayName(chosen) : value}
          </span>
        </button>
        {value !== undefined ? (
          <button type="button" className="icon-button ib-clear" aria-label="Clear the class filter" onClick={() => onChange(undefined)}>
            ×
          </button>
        ) : null}
      </div>
      {open ? (
        <div className="popover ib-class-popover" role="dialog" aria-label="Choose a class">
          <Combobox
            label="Search the vocabulary for a class"
            placeholder="Name, synonym, key or definition…"
            query={query}
            onQueryChange={setQuery}
            onPick={(key) => {
              onChange(key);
              close();
            }}
            onClose={close}
            testId="class-filter-search"
            emptyText={emptyText}
            options={results.map((cls) => ({
              id: cls.key,
              content: (
                <div className="search-result" data-testid="class-filter-result" data-key={cls.key}>
                  <div className="search-result-line">
                    <strong>{displayName(cls)}</strong>
                    <span className="candidate-key">{cls.key}</span>
                  </div>
                  {cls.names.length > 1 ? <div className="candidate-synonyms">{cls.names.slice(1).join(', ')}</div> : null}
                </div>
              ),
            }))}
          />
          <p className="popover-hint">
            <kbd>↑</kbd> <kbd>↓</kbd> choose · <kbd>Enter</kbd> filter by it · <kbd>Esc</kbd> close
          </p>
        </div>
      ) : null}
    </div>
  );
}
