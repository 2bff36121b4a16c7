import type { TransformOptions } from 'esbuild';

export function compileOptions(path: string): TransformOptions;
export function resolve(specifier: string, context: unknown, next: unknown): Promise<unknown>;
export function load(url: string, context: unknown, next: unknown): Promise<unknown>;
