import { describe, expect, it } from '@jest/globals';
import { DuplicateTopicValidatorError, type PayloadValidationError } from '../cluster.errors.js';
import { defineTopic } from './topic.js';
import { TopicRegistry } from './topic-registry.js';

const isNumber = (value: unknown): value is number => typeof value === 'number';
const isString = (value: unknown): value is string => typeof value === 'string';

function registry(): { topics: TopicRegistry; refused: PayloadValidationError[] } {
  const refused: PayloadValidationError[] = [];
  return { topics: new TopicRegistry((error) => refused.push(error)), refused };
}

describe('TopicRegistry', () => {
  it('accepts anything under a topic without a validator', () => {
    const { topics, refused } = registry();
    topics.register('free');
    topics.register(defineTopic('typed-only'));
    expect(topics.accepts('free', { any: 1 }, 1)).toBe(true);
    expect(topics.accepts('typed-only', 'x', 1)).toBe(true);
    expect(topics.accepts('never-registered', null, 1)).toBe(true);
    expect(refused).toEqual([]);
  });

  it('checks payloads with the registered validator and reports refusals', () => {
    const { topics, refused } = registry();
    topics.register(defineTopic<number>('n', { validate: isNumber }));
    expect(topics.accepts('n', 3, 2)).toBe(true);
    expect(topics.accepts('n', 'three', 2)).toBe(false);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      name: 'PayloadValidationError',
      topic: 'n',
      from: 2,
      part: 'payload',
    });
  });

  it('takes the same validator twice, and a plain name beside it', () => {
    const { topics } = registry();
    const topic = defineTopic<number>('n', { validate: isNumber });
    topics.register(topic);
    expect(() => topics.register(topic)).not.toThrow();
    expect(() => topics.register(defineTopic<number>('n', { validate: isNumber }))).not.toThrow();
    expect(() => topics.register('n')).not.toThrow();
    expect(topics.accepts('n', 'x', 1)).toBe(false);
  });

  it('refuses a second, different validator for one name, saying what to do', () => {
    const { topics } = registry();
    topics.register(defineTopic<number>('n', { validate: isNumber }));
    const clash = (): unknown => topics.register(defineTopic<string>('n', { validate: isString }));
    expect(clash).toThrow(DuplicateTopicValidatorError);
    expect(clash).toThrow(/"n".*Define the topic once/);
    expect(topics.accepts('n', 1, 1)).toBe(true);
  });
});
