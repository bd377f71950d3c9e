using System.Text.Json;

namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// The one size budget of every orchestration's custom status (runs, rollouts, pipelines). Durable
/// Task refuses a custom status over 16 KB; each status type says how it gives up detail, least
/// useful first, and the fullest version that fits is published. The full detail stays where it
/// always is: the orchestration's own state and, when it ends, its output.
/// </summary>
public static class StatusBudget
{
    /// <summary>Under Durable Task's 16 KB limit, with room for the envelope it adds.</summary>
    public const int MaxBytes = RunSummary.MaxBytes;

    public static int Size<T>(T status) => JsonSerializer.SerializeToUtf8Bytes(status).Length;

    /// <summary>
    /// <paramref name="status"/> if it fits, else the first of <paramref name="smaller"/> (tried in
    /// order, each from the original) that does; the last one is the smallest and is used whatever its size.
    /// </summary>
    public static T Fit<T>(T status, params Func<T, T>[] smaller)
    {
        if (Size(status) <= MaxBytes || smaller.Length == 0)
        {
            return status;
        }

        foreach (Func<T, T> shrink in smaller)
        {
            T candidate = shrink(status);
            if (Size(candidate) <= MaxBytes)
            {
                return candidate;
            }
        }

        return smaller[^1](status);
    }
}
