"""Safe rollouts of a changed bootstrap template.

Equinix Metal replaces a device whenever its user data changes (equinix/terraform-provider-equinix#159), so a
template edit would rebuild the whole fleet in one `pulumi up`. Instead the agents are split into batches
(`rollout.batchSize`) and only the batch chosen by `rollout.wave` may take new user data; every other device
keeps the user data it has (`ignore_changes`). Advancing `wave` by one per `pulumi up` rolls the fleet a batch at
a time. The k3s server never rolls by itself: replacing it rebuilds the cluster (see README, "Build pool").
On AWS the agents' Auto Scaling group does the same with an instance refresh and a minimum healthy percentage.
"""
USER_DATA_KEYS = ["userData"]


def agent_batches(count: int, batch_size: int) -> list[list[int]]:
    """Node indices of the agents (1 … count-1), in batches of `batch_size`."""
    agents = list(range(1, count))
    return [agents[i:i + batch_size] for i in range(0, len(agents), batch_size)]


def rolling_nodes(count: int, batch_size: int, wave: int) -> set[int]:
    """Node indices whose user data may change in this run; `wave` wraps around the batches."""
    batches = agent_batches(count, batch_size)
    return set(batches[wave % len(batches)]) if batches else set()


def user_data_frozen(index: int, rolling: set[int]) -> list[str]:
    """`ignore_changes` for node `index`: its user data is frozen unless its batch is rolling."""
    return [] if index in rolling else list(USER_DATA_KEYS)
