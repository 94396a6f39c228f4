#!/usr/bin/perl
# The cutting of tools/exercise.sh: read stage N's view of container.c
# with each line marked "=" (in stage N-1's view too) or "+" (new in
# stage N), and write the exercise copy, in which
#
#   - a function that stage N adds and that the container's steps reach
#     (from child_main, run_container or spawn_child) keeps its comment
#     and signature, and its body becomes one TODO: the comment above
#     it is the plan;
#   - in child_main, run_container and spawn_child, each run of lines
#     stage N adds becomes one TODO, whose plan is the comments those
#     lines carried;
#   - everything else stays as stage N has it: declarations, struct
#     fields, constants, tables, the command line, the usage text, the
#     hints, the functions only the command line and `check` reach.
#
# A body's TODO is followed by what lets the copy build without
# warnings but "defined but not used" (the helpers the student's code
# is to call): (void) for each parameter, and a return of a zero value.
#
#   perl tools/exercise.pl N MARKED-VIEW CHUNKS-FILE > COPY
#
# CHUNKS-FILE gets the code each TODO replaced, in order, each after a
# line "@@ TODO #K replaces N" (N: lines of stage N-1 the copy keeps
# below that TODO, for the student to replace): tests/exercise.bats
# fills the TODOs back from it and must get stage N's view again.
use strict;
use warnings;

my ($stage, $marked, $chunks_file) = @ARGV;
die "usage: exercise.pl N MARKED-VIEW CHUNKS-FILE\n" unless defined $chunks_file;

open(my $in, '<', $marked) or die "exercise: $marked: $!\n";
my (@kind, @line, %replaced, @old);
while (my $l = <$in>) {
	chomp $l;
	if (substr($l, 0, 1) eq '-') {    # stage N-1's alone
		push @old, substr($l, 1);
		next;
	}
	$replaced{scalar @line} = [ @old ] if @old;
	@old = ();
	push @kind, substr($l, 0, 1);
	push @line, substr($l, 1);
}
close $in;

# The functions: a body opens with "{" alone at the left margin, and
# closes with "}" there; the signature is the lines above the "{" back
# to the one that starts with "static" or "int ".
my (@functions, %by_name);
for (my $i = 0; $i < @line; $i++) {
	next unless $line[$i] eq '{';
	my $start = $i - 1;
	$start-- while $start > 0 && $line[$start] !~ /^(static|int) /;
	my $end = $i + 1;
	$end++ while $end < @line && $line[$end] ne '}';
	my $signature = join(' ', @line[$start .. $i - 1]);
	my ($name) = $signature =~ /(\w+)\s*\(/;
	my $new = !grep { $kind[$_] eq '=' } ($start .. $i - 1);
	my $f = { name => $name, start => $start, open => $i, end => $end,
		  signature => $signature, new => $new,
		  noreturn => ($start > 0 && $line[$start - 1] =~ /noreturn/) ? 1 : 0,
		  size => $end - $i - 1 };
	push @functions, $f;
	$by_name{$name} = $f;
	$i = $end;
}

# Who refers to whom, by name: calls, and handlers given by name.
for my $f (@functions) {
	my %uses;
	for my $l (@line[$f->{open} + 1 .. $f->{end} - 1]) {
		for my $word ($l =~ /\b([a-z_][a-z0-9_]*)\b/g) {
			$uses{$word} = 1 if exists $by_name{$word} && $word ne $f->{name};
		}
	}
	$f->{uses} = [ sort keys %uses ];
}

# The lesson: new functions the steps reach, directly or through
# others, old or new; and from stage 9, those its commands reach
# (run_lifecycle: ps, exec, stop, kill, cleanup). Of those reached only
# through others, not the smallest (four lines or fewer: wrappers and
# the like), which stay written.
my @steps = grep { exists $by_name{$_} } qw(child_main run_container spawn_child);
my %is_step = map { $_ => 1 } @steps;
my (%lesson, %seen);
my @queue = (@steps, grep { exists $by_name{$_} } qw(run_lifecycle));
while (my $name = shift @queue) {
	for my $used (@{ $by_name{$name}{uses} }) {
		next if exists $seen{$used} || exists $is_step{$used};
		$seen{$used} = 1;
		push @queue, $used;
		next unless $by_name{$used}{new};
		$lesson{$used} = $by_name{$used}{size} > 4 || exists $is_step{$name};
	}
}

open(my $chunks, '>', $chunks_file) or die "exercise: $chunks_file: $!\n";
my $todo = 0;

# One TODO: the line that stands for the code, into the copy; the code,
# into the chunks.
sub todo {
	my ($indent, $plan, $replaces, @code) = @_;
	$todo++;
	print $chunks "@@ TODO #$todo replaces $replaces\n", map { "$_\n" } @code;
	# In 80 columns: the plan goes on in lines of its own.
	my ($text, @lines) = ("$indent/* TODO stage $stage (#$todo):");
	my @words = split / /, $plan;
	$words[-1] .= " */";
	for my $word (@words) {
		if (length($text) + 1 + length($word) > 76 - length($indent)) {
			push @lines, $text;
			$text = "$indent *";
		}
		$text .= " $word";
	}
	return join("\n", @lines, $text);
}

# The parameters' names of a signature, for (void) lines.
sub parameters {
	my ($signature) = @_;
	my ($list) = $signature =~ /\((.*)\)\s*$/;
	return () if !defined $list || $list =~ /^\s*void\s*$/;
	my @names;
	for my $p (split /,/, $list) {
		$p =~ s/\[[^\]]*\]//g;
		my ($name) = $p =~ /(\w+)\s*$/;
		push @names, $name if defined $name;
	}
	return @names;
}

# The return type of a signature, for a stub return; undef for void.
sub return_type {
	my ($f) = @_;
	my ($type) = $f->{signature} =~ /^(?:static\s+)?(.*?)\b\Q$f->{name}\E\s*\(/;
	$type =~ s/^\s+|\s+$//g;
	return undef if $type eq 'void';
	return $type;
}

# What a line of a step does, for its TODO's plan: the call it makes,
# and the comment it carries.
sub step_plan {
	my ($l) = @_;
	my ($comment) = $l =~ m{/\*\s*(.*?)\s*\*/\s*$};
	(my $code = $l) =~ s{/\*.*$}{};
	my ($call) = grep { !/^(if|while|for|return|sizeof)$/ } $code =~ /(\w+)\s*\(/g;
	return () unless defined $call || defined $comment;
	return join(': ', grep { defined } (defined $call ? "$call()" : undef),
		    $comment);
}

my @out;
my $f_index = 0;
for (my $i = 0; $i < @line; $i++) {
	next if $line[$i] =~ m{^/\* (Generated from|Do not edit)};
	my $f = $f_index < @functions ? $functions[$f_index] : undef;
	if (!$f || $i < $f->{open} + 1 || $i >= $f->{end}) {
		push @out, $line[$i];
		$f_index++ if $f && $i == $f->{end};
		next;
	}
	# Inside a body.
	if ($lesson{$f->{name}}) {
		my @body = @line[$f->{open} + 1 .. $f->{end} - 1];
		push @out, todo("\t", "the body of $f->{name}(), as its comment says ("
			. scalar(@body) . " lines in the reference)", 0, @body);
		push @out, "\t(void)$_;" for parameters($f->{signature});
		my $type = return_type($f);
		push @out, $f->{noreturn} ? "\tabort();" :
			defined $type ? "\treturn ($type){0};" : ();
		$i = $f->{end} - 1;
		next;
	}
	# A declaration stays: the names are not the lesson.
	if ($is_step{$f->{name}} && $kind[$i] eq '+' && $line[$i] !~ m{^\s*(/\*|\*|$)} &&
	    $line[$i] !~ /^\s*(int|char|bool|pid_t|sigset_t|unsigned|const|struct \w+|_Alignas\(\d+\) char)\b[^=(]*;/) {
		my ($indent) = $line[$i] =~ /^(\s*)/;
		my (@code, @plan);
		# Lines of stage N-1 this run replaces stay in the copy, below
		# the TODO, for the student to replace.
		my @was = @{ $replaced{$i} // [] };
		while ($i < $f->{end} && $kind[$i] eq '+' && $line[$i] ne '') {
			push @code, $line[$i];
			push @plan, step_plan($line[$i]);
			$i++;
		}
		$i--;
		my $plan = "in $f->{name}(), " . (!@plan ? "a step of "
			. scalar(@code) . " line" . (@code > 1 ? "s" : "")
			. ": the comments around say what" :
			(@plan > 1 ? "steps: " : "a step: ") . join('; ', @plan));
		$plan .= ", in place of the line" . (@was > 1 ? "s" : "")
			. " below" if @was;
		push @out, todo($indent, $plan, scalar(@was), @code), @was;
		next;
	}
	push @out, $line[$i];
}
close $chunks;
print map { "$_\n" } @out;
print STDERR "$todo\n";
