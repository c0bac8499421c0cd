import { displayName } from '@bagel/core';
import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Combobox } from '../../../components/Combobox';
import type { IndexedVocabulary } from '../../../lib/vocabulary';
import type { ReviewCandidate } from '../lib/draft-verdict';
import { useReviewUiStore } from '../stores/review-ui-store';

const RESULT_LIMIT = 30;

interface AddClassSearchProps {
  vocabulary: IndexedVocabulary | undefined;
  vocabularyError: string | null;
  candidates: readonly ReviewCandidate[];
}

/**
 * Search over the whole vocabulary (names, synonyms, keys, glosses) as you type. The picked class becomes a candidate
 * judged correct, which the expert can change; picking a class already listed judges it correct and focuses it.
 */
export function AddClassSearch({ vocabulary, vocabularyError, candidates }: AddClassSearchProps) {
  const [query, setQuery] = useState('');
  const { addClass, judge, setFocus, closeOverlay } = useReviewUiStore(
    useShallow((s) => ({ addClass: s.addClass, judge: s.judge, setFocus: s.setFocus, closeOverlay: s.closeOverlay })),
  );
  const listed = new Map(candidates.map((c, i) => [c.key, i]));
  // Searched when the query changes only (the screen around re-renders for other reasons while the search is open).
  const results = useMemo(() => vocabulary?.search.search(query, RESULT_LIMIT) ?? [], [vocabulary, query]);

  const pick = (key: string) => {
    const existing = listed.get(key);
    if (existing === undefined) {
      addClass(key);
      setFocus(candidates.length);
    } else {
      judge(key, 'correct');
      setFocus(existing);
    }
    closeOverlay();
  };

  const emptyText = vocabularyError
    ? `The vocabulary could not be loaded: ${vocabularyError}`
    : !vocabulary
      ? 'Loading the vocabulary…'
      : query.trim()
        ? `No class matches “${query.trim()}”.`
        : 'Type a name, synonym, class key or words of the definition.';

  return (
    // data-results-for: the query whose results are shown (the first-paint benchmark waits for it).
    <div className="popover add-class" role="dialog" aria-label="Add a class" data-results-for={query}>
      <Combobox
        label="Search the vocabulary to add a class"
        placeholder="Add a class: name, synonym, key or definition…"
        query={query}
        onQueryChange={setQuery}
        onPick={pick}
        onClose={closeOverlay}
        testId="add-class-search"
        emptyText={emptyText}
        options={results.map((cls) => ({
          id: cls.key,
          content: (
            <div className="search-result" data-testid="add-class-result" data-key={cls.key}>
              <div className="search-result-line">
                <strong>{displayName(cls)}</strong>
                <span className="candidate-key">{cls.key}</span>
                {listed.has(cls.key) ? <span className="badge">already a candidate</span> : null}
              </div>
              {cls.names.length > 1 ? <div className="candidate-synonyms">{cls.names.slice(1).join(', ')}</div> : null}
              {cls.gloss ? <div className="search-result-gloss">{cls.gloss}</div> : null}
            </div>
          ),
        }))}
      />
      <p className="popover-hint">
        <kbd>↑</kbd> <kbd>↓</kbd> choose · <kbd>Enter</kbd> add as correct · <kbd>Esc</kbd> close
      </p>
    </div>
  );
}
