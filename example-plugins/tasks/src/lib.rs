//! The tasks plugin: a board per tenant (shared mode), with an enum state and task numbers
//! unique per tenant (a compound unique).

use sovereign::{sovereign_plugin, Direction, PluginContext};

#[sovereign_plugin(mode = "shared")]
pub struct Tasks;

use db::{task, user, TaskState};

/// Adds task `number` to a tenant's board (again: leaves it as it is).
pub async fn add(
    ctx: &PluginContext<Tasks>,
    tenant_id: i32,
    number: i32,
    title: &str,
    assignee_email: Option<&str>,
) -> sovereign::Result<task::Data> {
    let db = ctx.db();
    let mut params = vec![];
    if let Some(email) = assignee_email {
        params.push(task::assignee::connect(user::email::equals(email)));
    }
    db.task()
        .upsert(
            task::tenant_id_number(tenant_id, number),
            (tenant_id, number, title.to_string(), params),
            vec![],
        )
        .exec()
        .await
}

/// Moves a task to another state.
pub async fn set_state(
    ctx: &PluginContext<Tasks>,
    tenant_id: i32,
    number: i32,
    state: TaskState,
) -> sovereign::Result<task::Data> {
    ctx.db()
        .task()
        .update(
            task::tenant_id_number(tenant_id, number),
            vec![task::state::set(state)],
        )
        .exec()
        .await
}

/// The board: tasks by number, with their assignees.
pub async fn board(
    ctx: &PluginContext<Tasks>,
    tenant_id: i32,
) -> sovereign::Result<Vec<task::Data>> {
    ctx.db()
        .task()
        .find_many(vec![task::tenant_id::equals(tenant_id)])
        .order_by(task::number::order(Direction::Asc))
        .with(task::assignee::fetch())
        .exec()
        .await
}
