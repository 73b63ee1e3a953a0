// Filled in by its issue: see README.md.
export {};
