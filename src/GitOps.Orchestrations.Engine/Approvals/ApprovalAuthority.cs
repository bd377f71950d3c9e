using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Engine.Approvals;

/// <summary>
/// Proof that a person's decision came through a host (the API or the CLI), which authenticated
/// them and checked their right to decide. Any holder of a Durable Task client can raise an event
/// into a run, so gates do not trust events: a host signs each decision with a key only the hosts
/// hold (an HMAC over run, gate, decision and identity), and the gate refuses, and records as
/// refused, a decision whose proof does not verify. Verification is pure, so it is replay-safe as
/// long as the key stays the same (docs/security.md).
/// </summary>
public sealed class ApprovalAuthority
{
    /// <summary>Keys shorter than this are refused: an HMAC key is only as strong as it is long.</summary>
    public const int MinimumKeyBytes = 32;

    readonly byte[] key;

    public ApprovalAuthority(byte[] key)
    {
        if (key.Length < MinimumKeyBytes)
        {
            throw new ArgumentException($"the approval signing key must be at least {MinimumKeyBytes} bytes", nameof(key));
        }

        this.key = [.. key];
    }

    /// <summary>A key for one process: right for the embedded store, whose runs end with the process.</summary>
    public static ApprovalAuthority Ephemeral() => new(RandomNumberGenerator.GetBytes(MinimumKeyBytes));

    /// <summary>Reads a key written as base64 (what <c>openssl rand -base64 32</c> prints).</summary>
    public static ApprovalAuthority FromBase64(string text)
    {
        try
        {
            return new(Convert.FromBase64String(text.Trim()));
        }
        catch (FormatException)
        {
            throw new ArgumentException("the approval signing key must be base64 (for example the output of `openssl rand -base64 32`)");
        }
    }

    /// <summary>The decision with its proof for the gate <paramref name="node"/> of run <paramref name="runId"/>.</summary>
    public ApprovalDecision Sign(string runId, string node, ApprovalDecision decision) =>
        decision with { Proof = Proof("approval", runId, node, decision.Decision, decision.By, Groups(decision.Groups), decision.Comment ?? string.Empty) };

    public bool Verifies(string runId, string node, ApprovalDecision decision) =>
        Matches(decision.Proof, Proof("approval", runId, node, decision.Decision, decision.By, Groups(decision.Groups), decision.Comment ?? string.Empty));

    /// <summary>A pipeline command (approve, reject, promote) with its proof for pipeline instance <paramref name="instance"/>.</summary>
    public Promotion.PipelineCommand Sign(string instance, Promotion.PipelineCommand command) =>
        command with { Proof = Proof("pipeline", instance, command.Kind, command.Stage, command.Freight, command.By, Groups(command.Groups), command.Comment ?? string.Empty) };

    public bool Verifies(string instance, Promotion.PipelineCommand command) =>
        Matches(command.Proof, Proof("pipeline", instance, command.Kind, command.Stage, command.Freight, command.By, Groups(command.Groups), command.Comment ?? string.Empty));

    /// <summary>A rollout command (promote, abort) with its proof for the rollout step <paramref name="node"/> of run <paramref name="runId"/>.</summary>
    public Rollouts.RolloutCommand Sign(string runId, string node, Rollouts.RolloutCommand command) =>
        command with { Proof = Proof("rollout", runId, node, Rollouts.RolloutActions.Wire(command.Action), command.By, command.Reason ?? string.Empty) };

    public bool Verifies(string runId, string node, Rollouts.RolloutCommand command) =>
        Matches(command.Proof, Proof("rollout", runId, node, Rollouts.RolloutActions.Wire(command.Action), command.By, command.Reason ?? string.Empty));

    /// <summary>A stop request with its proof for run (or child instance) <paramref name="instance"/>.</summary>
    public Runs.StopRequest Sign(string instance, Runs.StopRequest stop) =>
        stop with { Proof = Proof("stop", instance, stop.By, stop.Reason ?? string.Empty) };

    public bool Verifies(string instance, Runs.StopRequest stop) =>
        Matches(stop.Proof, Proof("stop", instance, stop.By, stop.Reason ?? string.Empty));

    /// <summary>A run's message to lock <paramref name="lockInstance"/>, with its proof.</summary>
    public Locks.LockMessage Sign(string lockInstance, Locks.LockMessage message) =>
        message with { Proof = Proof("lock", lockInstance, message.Run, message.Action.ToString(), message.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

    public bool Verifies(string lockInstance, Locks.LockMessage message) =>
        Matches(message.Proof, Proof("lock", lockInstance, message.Run, message.Action.ToString(), message.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A lock's grant to run <paramref name="runId"/>, with its proof.</summary>
    public Locks.LockGrant Sign(string runId, Locks.LockGrant grant) => grant with { Proof = Proof("lock-grant", runId, grant.Lock) };

    public bool Verifies(string runId, Locks.LockGrant grant) => Matches(grant.Proof, Proof("lock-grant", runId, grant.Lock));

    /// <summary>
    /// Seals a value handed to clients and read back later (a listing's continuation token), so
    /// that what comes back is known to be ours: anything else is refused before the backend sees it.
    /// </summary>
    public string Seal(string purpose, string value) =>
        $"{Base64Url(Encoding.UTF8.GetBytes(value))}.{Base64Url(Convert.FromBase64String(Proof("seal", purpose, value)))}";

    /// <summary>The value of a token <see cref="Seal"/> made for <paramref name="purpose"/>; null for anything else.</summary>
    public string? Unseal(string purpose, string token)
    {
        int dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || token.Length > 8192)
        {
            return null;
        }

        try
        {
            string value = Encoding.UTF8.GetString(FromBase64Url(token[..dot]));
            return Matches(Base64Url(Convert.FromBase64String(Proof("seal", purpose, value))), token[(dot + 1)..]) ? value : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static byte[] FromBase64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }

    /// <summary>Refusals say this, so an operator reading the record knows what happened.</summary>
    public const string Unproven = "not sent through the API or the CLI (no valid proof): refused";

    static string Groups(IReadOnlyList<string>? groups) => string.Join('\n', (groups ?? []).Order(StringComparer.Ordinal));

    string Proof(params string[] fields)
    {
        // A JSON array is an unambiguous encoding of the fields: no separator can be smuggled into one.
        byte[] message = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(fields));
        return Convert.ToBase64String(HMACSHA256.HashData(key, message));
    }

    static bool Matches(string? given, string expected)
    {
        if (given is null)
        {
            return false;
        }

        byte[] a = Encoding.UTF8.GetBytes(given);
        byte[] b = Encoding.UTF8.GetBytes(expected);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
