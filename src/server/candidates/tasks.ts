// Tasks on a file: a title, a due date, a member of staff of the file's territory.
import { and, eq } from 'drizzle-orm';
import { candidates, tasks } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import { addEvent, assignableStaff, changeFile, type CandidatesContext } from './commands.ts';
import { parseInput, TaskSchema } from './schemas.ts';

export async function createTask(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  input: unknown,
): Promise<void> {
  const data = parseInput(TaskSchema, input);
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    const staff = file.territoryCode ? await assignableStaff(tx, file.territoryCode) : [];
    const assignee =
      staff.find((s) => s.id === data.assigneeId) ??
      (data.assigneeId === actor.id ? { id: actor.id, name: actor.name } : undefined);
    if (!assignee) throw new Invalid([{ field: 'assigneeId', key: 'errors.agent_not_in_territory' }]);
    await tx.insert(tasks).values({
      candidateId: file.id,
      kind: 'manual',
      title: data.title,
      dueDate: data.dueDate,
      assigneeId: assignee.id,
      createdAt: now,
    });
    await addEvent(
      tx,
      file.id,
      'task',
      { title: data.title, due: data.dueDate, assignee: assignee.name },
      actor.id,
      now,
    );
  });
}

/** Marks a manual task done (follow-ups are closed with their outcome instead). */
export async function completeTask(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  taskId: number,
): Promise<void> {
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    const [task] = await tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.id, taskId), eq(tasks.candidateId, file.id)));
    if (!task || task.kind !== 'manual') throw new NotFound('task');
    if (task.doneAt) throw new Conflict('errors.task_already_done');
    await tx.update(tasks).set({ doneAt: now }).where(eq(tasks.id, task.id));
    await addEvent(tx, file.id, 'task', { title: task.title, done: true }, actor.id, now);
    await tx.update(candidates).set({ updatedAt: now }).where(eq(candidates.id, file.id));
  });
}
