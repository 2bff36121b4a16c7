// @types/react is not installed (and package.json is not ours to change): declare only the
// few React APIs the Slate composer calls, so the chat site type-checks under strict mode.
declare module 'react' {
  export interface ReactElement {
    readonly type: unknown;
    readonly props: unknown;
  }
  export function createElement(
    type: unknown,
    props?: Record<string, unknown> | null,
    ...children: unknown[]
  ): ReactElement;
  export function useMemo<T>(fn: () => T, deps: readonly unknown[]): T;
}
declare module 'react-dom' {
  export function flushSync<T>(fn: () => T): T;
}
declare module 'react-dom/client' {
  import type { ReactElement } from 'react';
  export interface Root {
    render(el: ReactElement): void;
    unmount(): void;
  }
  export function createRoot(el: Element): Root;
}
