import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { MysqlRowCounter } from '../src/databases/mysql-row-counter.js';

// The shapes mariadb-dump 10.11 (one tuple per line) and mysqldump 8 (one line) write, with
// strings that look like SQL, a routine whose body has an INSERT line, and an empty table.
const DUMP = [
  '/*M!999999\\- enable the sandbox mode */ ',
  'CREATE TABLE `a``b` (`id` int(11) NOT NULL) ENGINE=InnoDB;',
  'LOCK TABLES `a``b` WRITE;',
  '/*!40000 ALTER TABLE `a``b` DISABLE KEYS */;',
  'INSERT INTO `a``b` VALUES',
  "(1,'x\\'y),(z\\\\\\'',0x00,0x05,10000000000),",
  "(2,'it''s; (not) a row',NULL,NULL,-1.5),",
  "(3,'\\\\',NULL,NULL,0);",
  "INSERT INTO `a``b` VALUES (4,'ünï ☃',NULL,NULL,1),(5,'',NULL,NULL,2);",
  '/*!40000 ALTER TABLE `a``b` ENABLE KEYS */;',
  'UNLOCK TABLES;',
  'LOCK TABLES `empty` WRITE;',
  'UNLOCK TABLES;',
  'LOCK TABLES `gen` WRITE;',
  "INSERT INTO `gen` (`id`, `weird)col`) VALUES (1,'a'),(2,'b');",
  'UNLOCK TABLES;',
  'DELIMITER ;;',
  'CREATE DEFINER=`root`@`%` PROCEDURE `p`()',
  'BEGIN',
  'INSERT INTO `a``b` VALUES (99);',
  'END',
  ';;',
  '',
].join('\n');

async function count(chunks: Buffer[]): Promise<ReturnType<MysqlRowCounter['result']>> {
  const counter = new MysqlRowCounter();
  let out = 0;
  await pipeline(
    Readable.from(chunks),
    counter,
    new Writable({
      write: (c: Buffer, _e, cb) => {
        out += c.length;
        cb();
      },
    }),
  );
  expect(out).toBe(chunks.reduce((n, c) => n + c.length, 0));
  return counter.result();
}

describe('MysqlRowCounter', () => {
  const expected = [
    { schema: '', name: 'a`b', rows: 5 },
    { schema: '', name: 'empty', rows: 0 },
    { schema: '', name: 'gen', rows: 2 },
  ];

  it('counts each table’s rows from a dump and passes every byte on', async () => {
    expect(await count([Buffer.from(DUMP)])).toEqual(expected);
  });

  it('gets the same counts whatever the chunk boundaries', async () => {
    const bytes = Buffer.from(DUMP);
    for (let split = 1; split < bytes.length; split++) {
      expect(await count([bytes.subarray(0, split), bytes.subarray(split)]), `split at ${split}`).toEqual(expected);
    }
    const single = [...bytes].map((b) => Buffer.from([b]));
    expect(await count(single)).toEqual(expected);
  });

  it('gives up (undefined) on a dump it does not understand, rather than guess', async () => {
    expect(await count([Buffer.from('LOCK TABLES `t` WRITE;\nINSERT INTO `t` VALUES (1),(2)\n')])).toBeUndefined();
    expect(
      await count([Buffer.from(`LOCK TABLES \`t\` WRITE;\nINSERT INTO \`t\` ${'x'.repeat(5000)}\nUNLOCK TABLES;\n`)]),
    ).toBeUndefined();
  });
});
