using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// The name of stored content: <c>sha256-</c> and the hex of its SHA-256. A key comes back from
/// history, which anyone with access to the task hub can write, so it is checked before it names a
/// blob, and content is checked against it when read.
/// </summary>
public static partial class PayloadKey
{
    public static string Of(ReadOnlySpan<byte> content) => $"sha256-{Convert.ToHexStringLower(SHA256.HashData(content))}";

    public static bool IsValid(string? key) => key is not null && Shape().IsMatch(key);

    /// <summary><paramref name="content"/>, if it is what <paramref name="key"/> names; else an error, never other content.</summary>
    public static byte[] Verify(string key, byte[] content) => Of(content) == key
        ? content
        : throw new InvalidDataException($"payload {key} does not match its content");

    /// <summary>Every key named in <paramref name="text"/> (an orchestration's serialized input, say).</summary>
    public static IEnumerable<string> NamedIn(string? text) => text is null ? [] : Named().Matches(text).Select(m => m.Value);

    [GeneratedRegex("^sha256-[0-9a-f]{64}\\z")]
    private static partial Regex Shape();

    [GeneratedRegex("sha256-[0-9a-f]{64}")]
    private static partial Regex Named();
}
