/** Vite asset imports used by the renderer. */
declare module '*?url' {
  const url: string;
  export default url;
}
declare module '*.css';
