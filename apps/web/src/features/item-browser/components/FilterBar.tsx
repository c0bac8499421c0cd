import { DEFAULT_SORT_ORDER, DisputeKind, FinalSeverity, ItemBrowserSort, ItemStatus, type ProjectSummary } from '@bagel/contracts';
import type { ReactNode } from 'react';
import { useExperts } from '../api/get-experts';
import { type BrowserFilters, DEFAULT_FILTERS, activeFilterCount } from '../lib/browser-filters';
import { DISPUTE_LABELS, SEVERITY_LABELS, SORT_LABELS, STATUS_LABELS } from '../lib/labels';
import { ClassFilter } from './ClassFilter';

interface FilterBarProps {
  project: ProjectSummary;
  filters: BrowserFilters;
  onChange(filters: BrowserFilters): void;
}

/** Every filter and the sort of the item browser; each control is labelled, and an empty choice means any. */
export function FilterBar({ project, filters, onChange }: FilterBarProps) {
  const experts = useExperts(project.id);
  const set = <K extends keyof BrowserFilters>(field: K, value: BrowserFilters[K] | undefined) => {
    const next = { ...filters };
    if (value === undefined) delete next[field];
    else next[field] = value as BrowserFilters[K];
    onChange(next);
  };
  const choice = <K extends keyof BrowserFilters>(field: K) => (value: string) => set(field, value === '' ? undefined : (value as BrowserFilters[K]));

  return (
    <form className="ib-filters" role="search" aria-label="Filter and sort the items" onSubmit={(event) => event.preventDefault()}>
      <Select label="Status" value={filters.status} onChange={choice('status')} testId="filter-status" any="Any status">
        {ItemStatus.options.map((status) => (
          <option key={status} value={status}>
            {STATUS_LABELS[status]}
          </option>
        ))}
      </Select>
      <ClassFilter projectId={project.id} value={filters.class} onChange={(key) => set('class', key)} />
      <Select label="Disputed on" value={filters.disputeKind} onChange={choice('disputeKind')} testId="filter-dispute" any="Not filtered">
        {DisputeKind.options.map((kind) => (
          <option key={kind} value={kind}>
            {DISPUTE_LABELS[kind]}
          </option>
        ))}
      </Select>
      <Select label="Wrong model" value={filters.wrongModel} onChange={choice('wrongModel')} testId="filter-model" any="Any model">
        {project.models.map((model) => (
          <option key={model.name} value={model.name}>
            {model.displayName}
          </option>
        ))}
      </Select>
      <Select label="Severity" value={filters.severity} onChange={choice('severity')} testId="filter-severity" any="Any severity">
        {FinalSeverity.options.map((severity) => (
          <option key={severity} value={severity}>
            {SEVERITY_LABELS[severity]}
          </option>
        ))}
      </Select>
      <Select label="Category" value={filters.category} onChange={choice('category')} testId="filter-category" any="Any category">
        {project.mistakeCategories.map((category) => (
          <option key={category} value={category}>
            {category}
          </option>
        ))}
      </Select>
      <Select label="Expert" value={filters.expert} onChange={choice('expert')} testId="filter-expert" any="Anyone">
        {/* A shared link may name an expert the list does not (yet) show: keep it choosable. */}
        {filters.expert !== undefined && !experts.data?.experts.some((e) => e.username === filters.expert) ? <option value={filters.expert}>{filters.expert}</option> : null}
        {experts.data?.experts.map((expert) => (
          <option key={expert.username} value={expert.username}>
            {expert.username} ({expert.verdicts})
          </option>
        ))}
      </Select>
      <div className="ib-sort">
        <Select
          label="Sort by"
          value={filters.sort}
          onChange={(value) => {
            const sort = value as ItemBrowserSort;
            onChange({ ...filters, sort, order: DEFAULT_SORT_ORDER[sort] });
          }}
          testId="sort"
        >
          {ItemBrowserSort.options.map((sort) => (
            <option key={sort} value={sort} title={sort === 'priority' ? 'Models wrong, then their confidence: the review queue’s order' : undefined}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </Select>
        <Select label="Order" value={filters.order} onChange={choice('order')} testId="order">
          <option value="desc">Descending</option>
          <option value="asc">Ascending</option>
        </Select>
      </div>
      <button
        type="button"
        className="text-button ib-reset"
        disabled={activeFilterCount(filters) === 0 && filters.sort === DEFAULT_FILTERS.sort && filters.order === DEFAULT_FILTERS.order}
        onClick={() => onChange(DEFAULT_FILTERS)}
      >
        Clear filters
      </button>
    </form>
  );
}

interface SelectProps {
  label: string;
  value: string | undefined;
  onChange(value: string): void;
  /** The text of the empty choice; without it there is none. */
  any?: string;
  testId: string;
  children: ReactNode;
}

function Select({ label, value, onChange, any, testId, children }: SelectProps) {
  return (
    <label className="ib-field">
      <span className="ib-field-label">{label}</span>
      <select value={value ?? ''} onChange={(event) => onChange(event.target.value)} data-testid={testId} className={value === undefined ? 'is-any' : undefined}>
        {any !== undefined ? <option value="">{any}</option> : null}
        {children}
      </select>
    </label>
  );
}
