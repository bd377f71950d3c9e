using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// A folder served as Helm chart repositories, one per first path segment (<c>/bronze</c>,
/// <c>/silver</c>…), speaking the protocol <c>helm-publish</c> writes with: GET with an ETag, PUT
/// honouring <c>If-Match</c> and <c>If-None-Match: *</c> (412 otherwise), DELETE. Every path is
/// checked before it touches the disk: plain names only, nothing hidden, never outside the folder.
/// </summary>
internal sealed partial class ChartFolder(string root) : IDisposable
{
    public const long MaxFileBytes = 64L * 1024 * 1024;

    const int MaxSegments = 4;

    readonly SemaphoreSlim writes = new(1, 1);

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The file a request path names, or null when the path is not one this folder serves.</summary>
    public string? Resolve(string requestPath)
    {
        string[] segments = requestPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is 0 or > MaxSegments || !segments.All(s => Segment().IsMatch(s)))
        {
            return null;
        }

        string full = Path.GetFullPath(Path.Combine([Root, .. segments]));
        return full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    public static string Tag(byte[] content) => $"\"{Charts.ChartArchive.Sha256(content)[..32]}\"";

    /// <summary>Writes <paramref name="content"/> if the preconditions hold against what is there now; false means 412.</summary>
    public async Task<bool> PutAsync(string file, byte[] content, string? ifMatch, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        // One write at a time, so that checking the tag and replacing the file are one step.
        await writes.WaitAsync(cancellationToken);
        try
        {
            string? current = File.Exists(file) ? Tag(await File.ReadAllBytesAsync(file, cancellationToken)) : null;
            if ((ifMatch is not null && ifMatch != current) || (ifNoneMatch == "*" && current is not null))
            {
                return false;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            string temporary = $"{file}.{Guid.NewGuid():N}.partial";
            await File.WriteAllBytesAsync(temporary, content, cancellationToken);
            File.Move(temporary, file, overwrite: true);
            return true;
        }
        finally
        {
            writes.Release();
        }
    }

    public async Task DeleteAsync(string file, CancellationToken cancellationToken)
    {
        await writes.WaitAsync(cancellationToken);
        try
        {
            File.Delete(file);
        }
        finally
        {
            writes.Release();
        }
    }

    public void Dispose() => writes.Dispose();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}\z")]
    private static partial Regex Segment();
}
