using GitOps.Orchestrations.Tables;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>The storage connection the Functions app reads, in the forms Azure Functions documents, and the mistakes it refuses.</summary>
public sealed class TableAccountTests
{
    static TableAccount Read(params (string Name, string Value)[] settings) =>
        TableAccount.FromConfiguration(name => settings.FirstOrDefault(s => s.Name == name).Value);

    [Fact]
    public void A_connection_string_wins_and_has_no_identity_endpoint()
    {
        TableAccount account = Read(("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("AzureWebJobsStorage__accountName", "other"));
        Assert.Null(account.Endpoint);
        Assert.Equal("gitopsAudit", account.Table("gitopsAudit").Name);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__accountName", "gitopsprod01", "https://gitopsprod01.table.core.windows.net/")]
    [InlineData("AzureWebJobsStorage__tableServiceUri", "https://acct.table.core.chinacloudapi.cn", "https://acct.table.core.chinacloudapi.cn/")]
    public void An_identity_based_connection_names_the_table_endpoint(string setting, string value, string endpoint)
    {
        TableAccount account = Read((setting, value), ("AzureWebJobsStorage__credential", "managedidentity"), ("AzureWebJobsStorage__clientId", "00000000-0000-0000-0000-000000000001"));
        Assert.Equal(new Uri(endpoint), account.Endpoint);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__accountName", "evil.example.com/x", "is not a storage account name")]
    [InlineData("AzureWebJobsStorage__accountName", "UPPER", "is not a storage account name")]
    [InlineData("AzureWebJobsStorage__tableServiceUri", "http://acct.table.core.windows.net", "must be an https URL")]
    [InlineData("AzureWebJobsStorage__tableServiceUri", "https://acct.table.core.windows.net/?sv=2020&sig=abc", "must be an https URL without a query")]
    [InlineData("Unrelated", "x", "set AzureWebJobsStorage to a connection string, or AzureWebJobsStorage__accountName")]
    public void A_connection_that_cannot_be_right_is_refused_with_the_setting_named(string setting, string value, string message)
    {
        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => Read((setting, value)));
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }
}
