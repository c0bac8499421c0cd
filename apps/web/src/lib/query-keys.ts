/** Query keys shared by several features (the rest live beside their fetchers). */
export const projectsKey = ['projects'] as const;
