import type { ValidationRule } from "graphql";
import type { Config } from "../../config";
import { maxAliasesRule } from "./aliases";
import { maxDepthRule } from "./depth";
import { introspectionDepthRule, noIntrospectionRule } from "./introspection";
import { RequestLimits, TokenBuckets } from "./rate-limit";

export { checkedCost, operationCost } from "./cost";
export { admission, admittedActor, RequestLimits, TokenBuckets } from "./rate-limit";

/** The validation rules of the configured limits: depth, aliases and introspection. */
export function limitRules(config: Config): ValidationRule[] {
  return [
    maxDepthRule(config.maxQueryDepth),
    maxAliasesRule(config.maxAliases),
    config.introspection ? introspectionDepthRule : noIntrospectionRule,
  ];
}

/** The request limits configured, per token and per member; undefined when they are off (RATE_LIMIT_PER_SECOND=0). */
export function requestBuckets(config: Config): RequestLimits | undefined {
  if (config.rateLimitPerSecond === 0) return undefined;
  return new RequestLimits(
    new TokenBuckets(config.rateLimitPerSecond, config.rateLimitBurst),
    new TokenBuckets(config.rateLimitMemberPerSecond, config.rateLimitMemberBurst),
  );
}
