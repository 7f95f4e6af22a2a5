/**
 * From a context (the timeout, where to connect, options) to the model that both views print:
 * the code for one target, or the numbers for every target (`--json` without a target).
 */
import type { GenerateContext, Language, Target } from './context.ts';
import { ruleWarnings } from './rule.ts';

export type { ConnectionFacts, GenerateContext, Target, TimeoutSource } from './context.ts';
export { connectionFacts, parseFrameworkVersion } from './context.ts';
export { derivePoolRule, idleTimeoutFor, ruleWarnings } from './rule.ts';
export { findTarget, TARGET_NAMES, TARGETS } from './targets.ts';

interface TargetOutput {
  language: Language;
  file_name: string;
  /** The framework's own option names and units. */
  settings: Record<string, unknown>;
  warnings: string[];
  /** The framework version the output was written for, where it depends on one (null: any version). */
  written_for: string | null;
  /** Present when this target was asked for. */
  code?: string;
}

/** The `--json` document (documented in the README (dbcache generate); a public interface). */
export interface GenerateReport {
  timeout: {
    wait_timeout: number;
    source: 'server' | 'option';
    server: {
      address: string;
      flavor: string;
      version: string;
      global_wait_timeout: number;
      interactive_timeout: number;
      max_connections: number | null;
    } | null;
  };
  derived: {
    mode: string;
    timeout: number;
    margin: number;
    budget: number;
    lifetime: number;
    idle_timeout: number;
    keepalive: number;
  };
  framework_version: string | null;
  warnings: string[];
  targets: Record<string, TargetOutput>;
}

export function buildGenerateReport(
  context: GenerateContext,
  targets: readonly Target[],
  withCode: boolean,
): GenerateReport {
  const { rule, timeout } = context;
  const measured = timeout.measured;
  const outputs: Record<string, TargetOutput> = {};
  for (const target of targets) {
    const generated = target.generate(context);
    outputs[target.name] = {
      language: generated.language ?? target.language,
      file_name: generated.fileName ?? target.fileName,
      settings: generated.settings,
      warnings: generated.warnings,
      written_for: generated.writtenFor ?? null,
      ...(withCode ? { code: generated.code } : {}),
    };
  }
  return {
    timeout: {
      wait_timeout: timeout.waitTimeout,
      source: measured ? 'server' : 'option',
      server: measured
        ? {
            address: measured.address,
            flavor: measured.flavor,
            version: measured.version,
            global_wait_timeout: measured.globalWaitTimeout,
            interactive_timeout: measured.interactiveTimeout,
            max_connections: measured.maxConnections,
          }
        : null,
    },
    derived: {
      mode: rule.mode,
      timeout: rule.timeout,
      margin: rule.margin,
      budget: rule.budget,
      lifetime: rule.lifetime,
      idle_timeout: rule.idleTimeout,
      keepalive: rule.keepalive,
    },
    framework_version: context.frameworkVersion?.text ?? null,
    warnings: ruleWarnings(rule),
    targets: outputs,
  };
}
