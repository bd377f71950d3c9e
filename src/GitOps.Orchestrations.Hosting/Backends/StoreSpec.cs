namespace GitOps.Orchestrations.Hosting.Backends;

/// <summary>
/// Which Durable Task backend a process uses, as written on the command line:
/// <c>memory</c> (embedded, the default), <c>azurite</c> (the local emulator) or an Azure Storage
/// connection string. Anything else is an error, never a silent fallback to memory.
/// </summary>
public abstract record StoreSpec
{
    public const string AzuriteConnectionString = "UseDevelopmentStorage=true";

    /// <summary>
    /// Where a connection string can come from besides the command line, where <c>ps</c> would
    /// show it to every user of the machine.
    /// </summary>
    public const string EnvironmentVariable = "GITOPS_STORE";

    /// <summary>The store a command names, else the one <see cref="EnvironmentVariable"/> names, else memory.</summary>
    public static StoreSpec Resolve(string? given) => Parse(given ?? Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static StoreSpec Parse(string? text)
    {
        string value = (text ?? "memory").Trim();
        if (value.Length == 0 || value.Equals("memory", StringComparison.OrdinalIgnoreCase))
        {
            return new MemoryStore();
        }

        if (value.Equals("azurite", StringComparison.OrdinalIgnoreCase))
        {
            return new AzureStorageStore(AzuriteConnectionString);
        }

        if (value.Contains("UseDevelopmentStorage=", StringComparison.OrdinalIgnoreCase)
            || value.Contains("AccountName=", StringComparison.OrdinalIgnoreCase)
            || value.Contains("BlobEndpoint=", StringComparison.OrdinalIgnoreCase))
        {
            return new AzureStorageStore(value);
        }

        throw new ArgumentException($"unknown store '{value}': use memory, azurite, or an Azure Storage connection string");
    }

    public abstract string Describe();

    /// <summary>Whether runs, gates, audit entries and pipelines outlive the process.</summary>
    public abstract bool IsDurable { get; }
}

public sealed record MemoryStore : StoreSpec
{
    public override string Describe() => "memory (embedded)";

    public override bool IsDurable => false;
}

public sealed record AzureStorageStore(string ConnectionString) : StoreSpec
{
    public override bool IsDurable => true;

    public override string Describe() =>
        ConnectionString == AzuriteConnectionString || ConnectionString.Contains("127.0.0.1", StringComparison.Ordinal)
            ? "Azure Storage (Azurite)"
            : "Azure Storage";
}
