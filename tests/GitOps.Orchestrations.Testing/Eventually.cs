namespace GitOps.Orchestrations.Testing;

/// <summary>Polls until something observable becomes true: how tests wait on runs, servers and triggers without sleeping blindly.</summary>
public static class Eventually
{
    public static Task True(Func<bool> condition, string what, TimeSpan? within = null) =>
        True(() => Task.FromResult(condition()), what, within);

    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        TimeSpan limit = within ?? TimeSpan.FromMinutes(2);
        using var timeout = new CancellationTokenSource(limit);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"waited {limit} for {what}");
            }

            await Task.Delay(100);
        }
    }
}
