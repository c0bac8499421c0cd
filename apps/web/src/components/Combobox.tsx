import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

export interface ComboboxOption {
  id: string;
  content: ReactNode;
}

interface ComboboxProps {
  /** Accessible name of the text box. */
  label: string;
  placeholder: string;
  query: string;
  onQueryChange(query: string): void;
  options: readonly ComboboxOption[];
  onPick(id: string): void;
  onClose(): void;
  /** Shown under the box when there is no option to pick. */
  emptyText: ReactNode;
  testId?: string;
}

/**
 * A text box with a list of options under it, driven from the keyboard: type to filter, ↑/↓ to choose, Enter to pick,
 * Esc (or leaving the box) to close. The keys it handles never reach the page's shortcuts.
 */
export function Combobox({ label, placeholder, query, onQueryChange, options, onPick, onClose, emptyText, testId }: ComboboxProps) {
  const listId = useId();
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const activeIndex = Math.min(active, options.length - 1);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);
  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [activeIndex]);

  return (
    <div className="combobox" data-testid={testId}>
      <input
        ref={inputRef}
        type="text"
        role="combobox"
        aria-label={label}
        aria-expanded={options.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={options.length > 0 ? `${listId}-${activeIndex}` : undefined}
        placeholder={placeholder}
        value={query}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => {
          onQueryChange(event.target.value);
          setActive(0);
        }}
        onBlur={onClose}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            if (options.length === 0) return;
            const step = event.key === 'ArrowDown' ? 1 : -1;
            setActive((activeIndex + step + options.length) % options.length);
          } else if (event.key === 'Enter') {
            event.preventDefault();
            const option = options[activeIndex];
            if (option) onPick(option.id);
          } else if (event.key === 'Escape') {
            event.preventDefault();
            onClose();
          }
        }}
      />
      {options.length > 0 ? (
        <ul className="combobox-options" role="listbox" id={listId} aria-label={label} ref={listRef}>
          {options.map((option, index) => (
            <li
              key={option.id}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === activeIndex}
              className={index === activeIndex ? 'is-active' : undefined}
              onMouseDown={(event) => event.preventDefault()}
              onMouseEnter={() => setActive(index)}
              onClick={() => onPick(option.id)}
            >
              {option.content}
            </li>
          ))}
        </ul>
      ) : (
        <div className="combobox-empty">{emptyText}</div>
      )}
    </div>
  );
}
