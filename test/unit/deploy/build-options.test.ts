import { describe, expect, it } from 'vitest';
import { deployBuildOptions, handlerModulesOf } from '../../../serverless/bundle.ts';
import { BundleError } from '../../../serverless/errors.ts';

const config = (esbuild: Record<string, unknown> | undefined, runtime = 'nodejs20.x') => ({
  service: 'clickstream',
  provider: { name: 'aws', runtime },
  functions: {
    a: { handler: 'functions/a/handler.handler' },
    b: { handler: 'functions/b/handler.main' },
  },
  ...(esbuild === undefined ? {} : { custom: { esbuild } }),
});

describe('deployBuildOptions', () => {
  it("derives serverless-esbuild's options: defaults, runtime target, custom.esbuild, exclude as external", () => {
    // Act
    const options = deployBuildOptions(
      config({
        bundle: true,
        minify: false,
        sourcemap: true,
        format: 'esm',
        platform: 'node',
        outputFileExtension: '.mjs',
        exclude: [],
        packager: 'npm',
      }),
    );

    // Assert
    expect(options).toEqual({
      outputFileExtension: '.mjs',
      esbuild: {
        bundle: true,
        minify: false,
        sourcemap: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        external: [],
        outExtension: { '.js': '.mjs' },
      },
    });
  });

  it("keeps serverless-esbuild's default exclude of aws-sdk (v2) when custom.esbuild sets none", () => {
    expect(deployBuildOptions(config(undefined, 'nodejs18.x')).esbuild).toMatchObject({
      target: 'node18',
      external: ['aws-sdk'],
    });
  });

  it('refuses an .mjs output for a CommonJS build, as serverless-esbuild does', () => {
    expect(() => deployBuildOptions(config({ outputFileExtension: '.mjs' }))).toThrow(BundleError);
  });

  it('lists each function handler module', () => {
    expect(handlerModulesOf(config(undefined))).toEqual(['functions/a/handler', 'functions/b/handler']);
  });
});
