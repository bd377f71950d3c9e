using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Tests;

public class DependsExpressionTests
{
    static Func<string, DependencyOutcome> Outcomes(params (string Task, NodePhase Phase)[] phases) =>
        task => new DependencyOutcome(phases.First(p => p.Task == task).Phase, null, false, false);

    [Fact]
    public void Bare_name_means_succeeded_or_skipped()
    {
        var expression = DependsExpression.Parse("build-image");
        Assert.True(expression.Evaluate(Outcomes(("build-image", NodePhase.Succeeded))));
        Assert.True(expression.Evaluate(Outcomes(("build-image", NodePhase.Skipped))));
        Assert.False(expression.Evaluate(Outcomes(("build-image", NodePhase.Failed))));
        Assert.False(expression.Evaluate(Outcomes(("build-image", NodePhase.Omitted))));
    }

    [Fact]
    public void Bare_name_accepts_a_tolerated_failure()
    {
        var expression = DependsExpression.Parse("a");
        Assert.True(expression.Evaluate(_ => new DependencyOutcome(NodePhase.Failed, new ContinueOnSpec(true, false), false, true)));
        Assert.False(expression.Evaluate(_ => new DependencyOutcome(NodePhase.Errored, new ContinueOnSpec(true, false), false, true)));
    }

    [Fact]
    public void Operators_and_precedence_follow_javascript()
    {
        var expression = DependsExpression.Parse("a.Failed || b && !c.Succeeded");
        Assert.True(expression.Evaluate(Outcomes(("a", NodePhase.Failed), ("b", NodePhase.Failed), ("c", NodePhase.Succeeded))));
        Assert.True(expression.Evaluate(Outcomes(("a", NodePhase.Succeeded), ("b", NodePhase.Succeeded), ("c", NodePhase.Failed))));
        Assert.False(expression.Evaluate(Outcomes(("a", NodePhase.Succeeded), ("b", NodePhase.Succeeded), ("c", NodePhase.Succeeded))));
        Assert.Equal(["a", "b", "c"], expression.Tasks);
    }

    [Fact]
    public void Fan_out_results()
    {
        var expression = DependsExpression.Parse("f.AnySucceeded && !g.AllFailed");
        Assert.True(expression.Evaluate(t => new DependencyOutcome(NodePhase.Failed, null, AnySucceeded: t == "f", AllFailed: false)));
        Assert.False(expression.Evaluate(t => new DependencyOutcome(NodePhase.Failed, null, AnySucceeded: true, AllFailed: t == "g")));
    }

    [Fact]
    public void Failure_references_mark_failures_as_handled()
    {
        var expression = DependsExpression.Parse("gate.Failed || gate.Skipped || other");
        Assert.True(expression.HandlesFailureOf("gate"));
        Assert.False(expression.HandlesFailureOf("other"));
    }

    [Theory]
    [InlineData("", "expected a task name")]
    [InlineData("a &&", "expected a task name")]
    [InlineData("a.Done", "unknown result 'Done'")]
    [InlineData("a b", "unexpected 'b'")]
    public void Syntax_errors(string text, string message)
    {
        Assert.False(DependsExpression.TryParse(text, out _, out string? error, out _));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(120_000, "!", "a", "characters long")]
    [InlineData(8_000, "!", "a", "nested deeper than 64")]
    [InlineData(100_000, "(", "a", "characters long")]
    [InlineData(65, "(", "a", "nested deeper than 64")]
    [InlineData(65, "!", "a", "nested deeper than 64")]
    public void Deep_nesting_is_an_error_not_a_stack_overflow(int times, string prefix, string operand, string message)
    {
        string text = string.Concat(Enumerable.Repeat(prefix, times)) + operand + (prefix == "(" ? new string(')', times) : string.Empty);
        Assert.False(DependsExpression.TryParse(text, out _, out string? error, out _));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_chain_is_wide_not_deep()
    {
        string text = string.Join(" && ", Enumerable.Range(0, 1_000).Select(i => $"t{i}"));
        DependsExpression expression = DependsExpression.Parse(text);
        Assert.True(expression.Evaluate(_ => new DependencyOutcome(NodePhase.Succeeded, null, false, false)));
        Assert.False(expression.Evaluate(t => new DependencyOutcome(t == "t999" ? NodePhase.Failed : NodePhase.Succeeded, null, false, false)));
    }
}
