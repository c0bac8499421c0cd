/** Every keyboard shortcut of the review screen: the `?` overlay lists exactly these. */
export interface Shortcut {
  keys: string[];
  action: string;
}

export interface ShortcutGroup {
  title: string;
  shortcuts: Shortcut[];
}

/** The number keys that pick a mistake category: the first four of the project's categories, in order. */
export const CATEGORY_KEYS = ['4', '5', '6', '7'] as const;
export const SEVERITY_KEYS = { '1': 'Major', '2': 'Minor', '3': 'Borderline' } as const;

const IMAGE_GROUP: ShortcutGroup = {
  title: 'Image',
  shortcuts: [
    { keys: ['+'], action: 'Zoom in (or the mouse wheel; drag to pan)' },
    { keys: ['-'], action: 'Zoom out' },
    { keys: ['0'], action: 'Fit the image to the panel' },
    { keys: ['o'], action: 'View the original file / the preview' },
  ],
};

/** Why the read-only screen's list is short: the `?` overlay says it under the list. */
export const READ_ONLY_SHORTCUTS_NOTE =
  'This item is final: the keys that judge, grade, add or remove a class, flag, comment, submit or skip do nothing here.';

/** `e`: the examples of the focused class (when the app gives the review screen a way to show them). */
export const EXAMPLES_KEY = 'e';
const EXAMPLES_SHORTCUT: Shortcut = {
  keys: [EXAMPLES_KEY],
  action: 'Examples: other images of the focused class, to compare with',
};

/** `g`: the project's labeling guide, beside the item (when the app gives the review screen a way to show it). */
export const GUIDE_KEY = 'g';
const GUIDE_SHORTCUT: Shortcut = {
  keys: [GUIDE_KEY],
  action: 'Guide: the project’s labeling guide, beside the item (again, or Esc, to close it)',
};

export interface ShortcutOptions {
  /** An agreed or final item. */
  readOnly?: boolean;
  /** The screen can show the examples of a class (`e`). */
  examples?: boolean;
  /** The screen can show the labeling guide (`g`). */
  guide?: boolean;
}

/**
 * The shortcuts of the review screen. Read-only (an agreed or final item), only those that still act: the candidate
 * focus, the examples of a class, the image, the guide, and Enter for the next item.
 */
export function shortcutGroups(
  mistakeCategories: readonly string[],
  { readOnly = false, examples = false, guide = false }: ShortcutOptions = {},
): ShortcutGroup[] {
  const examplesShortcut = examples ? [EXAMPLES_SHORTCUT] : [];
  const guideShortcut = guide ? [GUIDE_SHORTCUT] : [];
  if (readOnly) {
    return [
      {
        title: 'Candidates',
        shortcuts: [
          { keys: ['j', '↓'], action: 'Next candidate' },
          { keys: ['k', '↑'], action: 'Previous candidate' },
          ...examplesShortcut,
        ],
      },
      IMAGE_GROUP,
      {
        title: 'Item',
        shortcuts: [
          { keys: ['Enter'], action: 'Next item: back to the review queue' },
          ...guideShortcut,
          { keys: ['?'], action: 'Show / hide this list' },
          { keys: ['Esc'], action: 'Close the open overlay, else the guide, else dismiss the message above the item' },
        ],
      },
    ];
  }
  return [
    {
      title: 'Candidates',
      shortcuts: [
        { keys: ['j', '↓'], action: 'Next candidate' },
        { keys: ['k', '↑'], action: 'Previous candidate' },
        { keys: ['c'], action: 'Judge the focused candidate correct, then move on' },
        { keys: ['w'], action: 'Judge it wrong, then move on' },
        { keys: ['u'], action: 'Judge it unclear, then move on' },
        { keys: ['Shift', 'W'], action: 'Judge every candidate not judged yet wrong' },
        { keys: ['a', '/'], action: 'Add a class: search the vocabulary (↑ ↓ choose, Enter add, Esc close)' },
        { keys: ['x', 'Backspace'], action: 'Clear the focused candidate’s judgement (a class you added is removed)' },
        ...examplesShortcut,
      ],
    },
    {
      title: 'Model mistakes (the highlighted model)',
      shortcuts: [
        { keys: ['1'], action: 'Severity Major' },
        { keys: ['2'], action: 'Severity Minor' },
        { keys: ['3'], action: 'Severity Borderline' },
        ...mistakeCategories.slice(0, CATEGORY_KEYS.length).map((category, i) => ({
          keys: [CATEGORY_KEYS[i] as string],
          action: `Category: ${category}`,
        })),
      ],
    },
    IMAGE_GROUP,
    {
      title: 'Verdict',
      shortcuts: [
        { keys: ['p'], action: 'Flag problematic / unflag (pick a reason: ↑ ↓ Enter, or type one)' },
        { keys: ['m'], action: 'Write a comment (Esc leaves the box)' },
        { keys: ['Enter'], action: 'Submit the verdict and show the next item (Ctrl+Enter from the comment box)' },
        { keys: ['s'], action: 'Skip this item' },
        ...guideShortcut,
        { keys: ['?'], action: 'Show / hide this list' },
        { keys: ['Esc'], action: 'Close the open overlay, else the guide, else dismiss the message above the item' },
      ],
    },
  ];
}
