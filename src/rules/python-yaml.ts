/**
 * YAML parsing as Elastalert's PyYAML (YAML 1.1) reads a rule, so values keep their Python types:
 * a float literal (`spike_height: 2.0`) becomes a `PyFloat` (prints `2.0`, not `2`), and only PyYAML's boolean
 * words are booleans (js-yaml's YAML 1.1 schema also takes `y`/`n`, which PyYAML leaves as strings).
 */
import { defineScalarTag, floatYaml11Tag, load, NOT_RESOLVED, YAML11_SCHEMA, boolYaml11Tag } from 'js-yaml';
import { PyFloat } from './py-values';

const pyFloatTag = defineScalarTag<PyFloat>(floatYaml11Tag.tagName, {
  ...floatYaml11Tag,
  resolve: (source, isExplicit, tagName) => {
    const v = floatYaml11Tag.resolve(source, isExplicit, tagName);
    return v === NOT_RESOLVED ? NOT_RESOLVED : new PyFloat(v);
  },
  identify: (d) => d instanceof PyFloat,
  represent: (d: PyFloat) => String(d.value),
});

// PyYAML's resolver: yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF.
const TRUE_WORDS = new Set(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const pyBoolTag = defineScalarTag<boolean>(boolYaml11Tag.tagName, {
  ...boolYaml11Tag,
  implicitFirstChars: null,
  resolve: (source) => (TRUE_WORDS.has(source) ? true : FALSE_WORDS.has(source) ? false : NOT_RESOLVED),
});

const schema = YAML11_SCHEMA.withTags(pyFloatTag, pyBoolTag);

/** Parses one YAML document with PyYAML's types; throws js-yaml's YAMLException (with line/column) on bad YAML. */
export function parsePythonYaml(text: string, filename: string): unknown {
  return load(text, { schema, filename });
}
