// scripts/build.mjs (and tsx in tests, through the same esbuild loader) import `.py` files as their text.
declare module '*.py' {
  const source: string;
  export default source;
}
