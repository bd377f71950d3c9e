using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;

namespace GitOps.Orchestrations.Tables;

/// <summary>
/// The storage account whose tables hold the engine's records beside the task hub: reached with a
/// connection string, or, with no key anywhere, through an endpoint and a Microsoft Entra ID
/// credential (a managed identity in Azure).
/// </summary>
public sealed partial class TableAccount
{
    readonly Func<string, TableClient> open;

    TableAccount(Func<string, TableClient> open, Uri? endpoint)
    {
        this.open = open;
        Endpoint = endpoint;
    }

    /// <summary>The table endpoint of an identity-based account; null for a connection string.</summary>
    public Uri? Endpoint { get; }

    public static TableAccount FromConnectionString(string connectionString) => new(name => new TableClient(connectionString, name), null);

    public static TableAccount FromIdentity(Uri tableEndpoint, TokenCredential credential) => new(name => new TableClient(tableEndpoint, name, credential), tableEndpoint);

    /// <summary>
    /// The account a Functions connection setting names, as Azure Functions reads it: the
    /// connection string in <paramref name="connection"/>, else an identity-based connection in
    /// <c>{connection}__tableServiceUri</c> or <c>{connection}__accountName</c>, with
    /// <c>__credential</c> <c>managedidentity</c> and <c>__clientId</c> for a user-assigned identity.
    /// </summary>
    public static TableAccount FromConfiguration(Func<string, string?> settings, string connection = "AzureWebJobsStorage")
    {
        if (settings(connection) is { Length: > 0 } connectionString)
        {
            return FromConnectionString(connectionString);
        }

        Uri endpoint;
        if (settings($"{connection}__tableServiceUri") is { Length: > 0 } uri)
        {
            endpoint = Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && parsed.Scheme == Uri.UriSchemeHttps && parsed.Query.Length == 0
                ? parsed
                : throw new InvalidOperationException($"{connection}__tableServiceUri must be an https URL without a query, such as https://ACCOUNT.table.core.windows.net");
        }
        else if (settings($"{connection}__accountName") is { Length: > 0 } account)
        {
            endpoint = AccountName().IsMatch(account)
                ? new Uri($"https://{account}.table.core.windows.net")
                : throw new InvalidOperationException($"{connection}__accountName '{account}' is not a storage account name (3 to 24 lowercase letters and digits)");
        }
        else
        {
            throw new InvalidOperationException($"set {connection} to a connection string, or {connection}__accountName (or __tableServiceUri) for an identity-based connection");
        }

        string? clientId = settings($"{connection}__clientId") is { Length: > 0 } id ? id : null;
        TokenCredential credential = string.Equals(settings($"{connection}__credential"), "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        return FromIdentity(endpoint, credential);
    }

    public TableClient Table(string name) => open(name);

    [GeneratedRegex("^[a-z0-9]{3,24}\\z")]
    private static partial Regex AccountName();
}
