/**
 * Finds a project image by the name another file gives it. Files of the field name ImageNet images by their bare
 * file name (`ILSVRC2012_val_00000001.JPEG`) while a project may keep them in class folders
 * (`n01751748/ILSVRC2012_val_00000001.JPEG`): a name matches a project file exactly, or else the one project file
 * whose last path segment it is.
 */
export interface ProjectImageIndex {
  readonly imageCount: number;
  /**
   * The project position of the image `name` names; `undefined` when no project image has that name; the files when
   * the bare name is the last segment of several project files (it cannot say which one).
   */
  find(name: string): number | undefined | { ambiguous: string[] };
}

export function createProjectImageIndex(files: readonly string[]): ProjectImageIndex {
  const exact = new Map<string, number>();
  /** Position by last segment; -1 when several files end with that segment. */
  const byBaseName = new Map<string, number>();
  files.forEach((file, position) => {
    exact.set(file, position);
    const base = file.slice(file.lastIndexOf('/') + 1);
    byBaseName.set(base, byBaseName.has(base) ? -1 : position);
  });
  return {
    imageCount: files.length,
    find(name) {
      const position = exact.get(name);
      if (position !== undefined) return position;
      if (name.includes('/')) return undefined;
      const byBase = byBaseName.get(name);
      if (byBase === undefined) return undefined;
      if (byBase >= 0) return byBase;
      return { ambiguous: files.filter((f) => f.endsWith(`/${name}`) || f === name) };
    },
  };
}
