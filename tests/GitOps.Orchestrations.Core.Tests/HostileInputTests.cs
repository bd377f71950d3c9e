using System.Diagnostics;
using System.Text;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests;

public class HostileInputTests
{
    [Theory]
    [InlineData("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: \"hello\\n\"}\nspec:\n  tasks: [{name: a, uses: log, with: {message: x}}]\n", "must be a DNS label")]
    [InlineData("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: hello}\nspec:\n  tasks: [{name: \"a\\n\", uses: log, with: {message: x}}]\n", "task name")]
    [InlineData("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: hello}\nspec:\n  params: [{name: \"p\\n\"}]\n  tasks: [{name: a, uses: log, with: {message: x}}]\n", "param name")]
    public void A_name_that_ends_in_a_line_break_is_refused(string yaml, string problem)
    {
        // The name patterns once ended in '$', which .NET also matches before a final line break:
        // "hello\n" passed as a DNS label and went on into run and instance ids.
        Assert.Contains(Load.Errors(yaml), e => e.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Billion_laughs_is_refused_quickly()
    {
        var yaml = new StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: bomb}\nspec:\n  tasks:\n    - name: a\n      uses: log\n      with:\n        message: x\n        l0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++)
        {
            yaml.Append($"        l{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        var watch = Stopwatch.StartNew();
        string[] errors = Load.Errors(yaml.ToString());
        Assert.Contains(errors, e => e.Contains("expands to too many nodes", StringComparison.Ordinal));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "an alias bomb must not be expanded");
    }

    [Fact]
    public void Deep_nesting_is_refused_without_overflowing_the_stack()
    {
        string yaml = "a: " + new string('[', 100_000) + new string(']', 100_000);
        string error = Assert.Single(Load.Errors(yaml));
        Assert.Contains("nesting is deeper than 64 levels", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_files_are_refused()
    {
        byte[] big = Encoding.UTF8.GetBytes("# " + new string('x', 2 * 1024 * 1024));
        LoadResult result = DocumentLoader.Load("big.yaml", big, TaskTypeRegistry.BuiltIn());
        Assert.Contains("big.yaml:1:1: error: file is", Assert.Single(result.Diagnostics).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_files_are_refused()
    {
        LoadResult result = DocumentLoader.Load("bin.yaml", [0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01], TaskTypeRegistry.BuiltIn());
        Assert.Equal("bin.yaml:1:5: error: file is binary (it contains a NUL byte), not YAML text", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_its_position()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("kind: Workflow\nname: caf"), 0xC3, 0x28, (byte)'\n'];
        LoadResult result = DocumentLoader.Load("latin.yaml", bytes, TaskTypeRegistry.BuiltIn());
        Assert.Equal("latin.yaml:2:10: error: file is not valid UTF-8 text", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Empty_and_scalar_documents_are_errors_not_crashes()
    {
        Assert.Contains("error: file holds no YAML document", Assert.Single(Load.Errors("")), StringComparison.Ordinal);
        Assert.Contains("error: the document must be a mapping", Assert.Single(Load.Errors("just text")), StringComparison.Ordinal);
    }
}

public class LargeInputTests
{
    [Fact]
    public void An_invalid_byte_at_the_end_of_a_large_file_is_located()
    {
        // The first version of this check decoded a growing prefix per byte, quadratic in the file size.
        byte[] bytes = [.. Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("# padding line\n", 60_000))), 0xFF];
        LoadResult result = DocumentLoader.Load("big.yaml", bytes, TaskTypeRegistry.BuiltIn());
        Assert.Equal("big.yaml:60001:1: error: file is not valid UTF-8 text", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void A_byte_order_mark_is_accepted()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: bom}\nspec:\n  tasks: [{name: a, uses: log, with: {message: x}}]\n")];
        Assert.Empty(DocumentLoader.Load("bom.yaml", bytes, TaskTypeRegistry.BuiltIn()).Diagnostics);
    }
}
