// Analyst notes on a model version or a drift report: the desktop outbox POSTs them with a client-made id
// (a retry is idempotent by that id); they sync to the app as the `notes` shape.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ConflictError, NotFoundError } from '@pmm/core/http';
import { type AppEnv, actorOf, requireRole } from '../auth';
import { MAX_JSON_BODY_BYTES } from '../body';
import { driftReportExists, insertNote, listNotes, type Note } from '../db/notes';
import { modelExists } from '../db/registry';
import type { Services } from '../services';
import { notifyShapeChange } from '../shapes';
import { bearer, errors, json, jsonBody, readBody } from './common';

export const MAX_NOTE_CHARS = 4000;

const subjectType = z.enum(['model', 'drift_report']);
/** PostgreSQL text cannot hold NUL. */
const noNul = (s: string) => !s.includes('\u0000');
const subjectId = z
  .string()
  .min(1)
  .max(256)
  .refine(noNul, 'must not contain NUL')
  .describe('A model version, or a drift report id');

const noteSchema = z
  .object({
    id: z.string(),
    subject_type: subjectType,
    subject_id: z.string(),
    text: z.string(),
    author: z.string(),
    created_at: z.string(),
    seq: z.string(),
  })
  .openapi('Note');

const newNoteSchema = z.strictObject({
  id: z.uuid().describe('Made by the client, so a retried POST finds the note it stored'),
  subject_type: subjectType,
  subject_id: subjectId,
  text: z
    .string()
    .min(1)
    // Characters as PostgreSQL counts them (code points), not UTF-16 units.
    .refine((s) => [...s].length <= MAX_NOTE_CHARS, `at most ${MAX_NOTE_CHARS} characters`)
    .refine(noNul, 'must not contain NUL'),
});

export function noteRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const read = requireRole(services, 'read');
  const admin = requireRole(services);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/notes',
      summary:
        'Add a note on a model version or drift report (idempotent by id: the same note again is a 200, a different one a 409)',
      tags: ['notes'],
      security: bearer,
      middleware: [admin, readBody(MAX_JSON_BODY_BYTES)] as const,
      request: { body: jsonBody(newNoteSchema, '{ id, subject_type, subject_id, text }') },
      responses: {
        201: json(noteSchema, 'Stored'),
        200: json(noteSchema, 'Already stored (a retry)'),
        ...errors(400, 401, 403, 404, 409, 413, 415, 422, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { db } = services.require().database;
      const exists =
        body.subject_type === 'model'
          ? await modelExists(db, body.subject_id)
          : await driftReportExists(db, body.subject_id);
      if (!exists) {
        throw new NotFoundError(
          body.subject_type === 'model'
            ? `model version ${body.subject_id} is not registered`
            : `drift report ${body.subject_id} does not exist`,
        );
      }
      const { created, note } = await insertNote(db, {
        id: body.id,
        subjectType: body.subject_type,
        subjectId: body.subject_id,
        text: body.text,
        author: actorOf(c.get('principal')),
      });
      if (!created) {
        if (
          note.subject_type !== body.subject_type ||
          note.subject_id !== body.subject_id ||
          note.text !== body.text
        ) {
          throw new ConflictError('note_exists', `note ${body.id} already exists with different content`, {
            id: body.id,
          });
        }
        c.header('Idempotent-Replayed', 'true');
        return c.json(note, 200);
      }
      notifyShapeChange('notes');
      return c.json(note, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/notes',
      summary: 'Notes, newest first (optionally on one subject)',
      tags: ['notes'],
      security: bearer,
      middleware: [read] as const,
      request: {
        query: z.object({
          subject_type: subjectType.optional(),
          subject_id: subjectId.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: json(z.object({ notes: z.array(noteSchema) }), 'Notes'),
        ...errors(401, 403, 422, 503),
      },
    }),
    async (c) => {
      const { subject_type, subject_id, limit } = c.req.valid('query');
      const found: Note[] = await listNotes(services.require().database.db, {
        limit,
        ...(subject_type === undefined ? {} : { subjectType: subject_type }),
        ...(subject_id === undefined ? {} : { subjectId: subject_id }),
      });
      return c.json({ notes: found }, 200);
    },
  );
}
