import { readFileSync } from 'node:fs';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createWsoApp, type WsoApp } from '../../../infra/wso-app.ts';

/** The feature flags and defaults of cdk.json, so tests synthesize what `cdk synth` synthesizes. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) {
    throw new Error('cdk.json has no context');
  }
  return cdkJson.context as Record<string, unknown>;
}

export interface SynthesizedApp extends WsoApp {
  readonly templates: {
    readonly data: Template;
    readonly timers: Template;
    readonly events: Template;
    readonly api: Template;
    readonly observability: Template;
  };
  /** Every template, for assertions that must hold across the whole app. */
  readonly allTemplates: readonly Template[];
}

export interface SynthOptions {
  /** Context on top of cdk.json's (e.g. `{ wafEnabled: false }`). */
  readonly context?: Record<string, unknown>;
  /** Register the cdk-nag plugins as `infra/app.ts` does (synthesis then fails on findings). */
  readonly compliance?: boolean;
  /**
   * Run CDK's built-in CloudFormation template validation (on in `cdk synth`). Its WebAssembly
   * engine takes about 2 s to start in every test process, so only the compliance test turns it on.
   */
  readonly cloudFormationValidation?: boolean;
}

/** The app as `infra/app.ts` builds it, with bundling skipped; not synthesized yet. */
export function createTestApp(options: SynthOptions = {}): WsoApp {
  return createWsoApp({
    compliance: options.compliance ?? false,
    appProps: {
      builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...options.context },
    },
  });
}

/**
 * Builds and synthesizes the app once. Bundling is skipped (`aws:cdk:bundling-stacks: []`): the
 * functions get a placeholder asset, which is all a template assertion needs and keeps a test file
 * to a few seconds. `npm run synth` bundles for real.
 */
export function synthesize(options: SynthOptions = {}): SynthesizedApp {
  if (Object.keys(options).length > 0) return synthesizeNow(options);
  defaultApp ??= synthesizeNow({});
  return defaultApp;
}

/**
 * The app with cdk.json's context alone, synthesized once per test process: the infra test files
 * share one process (vitest.config.ts), and most of them read the same templates (a synthesis takes
 * a few seconds on a 2-core machine). Templates are only read, never changed, by the tests.
 */
let defaultApp: SynthesizedApp | undefined;

function synthesizeNow(options: SynthOptions): SynthesizedApp {
  const wso = createTestApp(options);
  const template = (stack: Stack): Template => Template.fromStack(stack);
  const templates = {
    data: template(wso.data),
    timers: template(wso.timers),
    events: template(wso.events),
    api: template(wso.api),
    observability: template(wso.observability),
  };
  return { ...wso, templates, allTemplates: Object.values(templates) };
}
