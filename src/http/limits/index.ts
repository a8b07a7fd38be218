import type { ValidationRule } from "graphql";
import type { Config } from "../../config";
import { maxAliasesRule } from "./aliases";
import { maxDepthRule } from "./depth";
import { introspectionDepthRule, noIntrospectionRule } from "./introspection";
import { TokenBuckets } from "./rate-limit";

export { checkedCost, costLimitPlugin, operationCost } from "./cost";
export { LIMIT_CODES, LIMIT_DETAILS } from "./limit-error";
export { admission, admittedActor, admitSocketOperation, TokenBuckets } from "./rate-limit";

/** The validation rules of the configured limits: depth, aliases and introspection. */
export function limitRules(config: Config): ValidationRule[] {
  return [
    maxDepthRule(config.maxQueryDepth),
    maxAliasesRule(config.maxAliases),
    config.introspection ? introspectionDepthRule : noIntrospectionRule,
  ];
}

/** The request buckets of the configured rate limit; undefined when it is off (RATE_LIMIT_PER_SECOND=0). */
export function requestBuckets(config: Config): TokenBuckets | undefined {
  return config.rateLimitPerSecond > 0 ? new TokenBuckets(config.rateLimitPerSecond, config.rateLimitBurst) : undefined;
}
