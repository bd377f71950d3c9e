namespace GitOps.Orchestrations.Server.Authentication;

/// <summary>
/// The API keys a server accepts, read again when its configuration file changes, so that a key
/// <c>gitops keys add</c> writes (or <c>remove</c> takes away) counts without a restart. The file is
/// looked at no more than once a second; a file that cannot be read keeps the keys already known.
/// </summary>
public sealed class ApiKeyRing(IReadOnlyList<ApiKeyEntry> initial, string? file, Func<IReadOnlyList<ApiKeyEntry>>? reload)
{
    static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);

    readonly Lock gate = new();
    IReadOnlyList<ApiKeyEntry> keys = initial;
    DateTime written = file is not null && File.Exists(file) ? File.GetLastWriteTimeUtc(file) : DateTime.MinValue;
    DateTime lookedAt = DateTime.UtcNow;

    public static ApiKeyRing Fixed(IReadOnlyList<ApiKeyEntry> keys) => new(keys, null, null);

    public IReadOnlyList<ApiKeyEntry> Current
    {
        get
        {
            if (file is null || reload is null)
            {
                return keys;
            }

            lock (gate)
            {
                DateTime now = DateTime.UtcNow;
                if (now - lookedAt < LookEvery)
                {
                    return keys;
                }

                lookedAt = now;
                DateTime modified = File.Exists(file) ? File.GetLastWriteTimeUtc(file) : DateTime.MinValue;
                if (modified != written)
                {
                    try
                    {
                        keys = reload();
                        written = modified;
                    }
                    catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
                    {
                        // Half-written by an editor, most likely: the keys known stay, and the next look tries again.
                    }
                }

                return keys;
            }
        }
    }
}
