// Side-effect imports of styles: esbuild emits them beside the webview bundle.
declare module '*.css';
