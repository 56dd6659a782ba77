/**
 * A zoo.cfg line, `--set key=value` or member list the server cannot start with. The message names
 * the key, the value and the rule it breaks ("zoo.cfg: tickTime=0 must be a decimal integer from 1 to 2147483647").
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}
